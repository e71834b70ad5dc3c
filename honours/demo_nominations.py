"""Demo data of the nomination pipeline (推荐评选): this month's 秦皇岛好人 round with
nominations standing at every stage through the three channels, and last month's round gone
all the way through its public notice (likes, an objection dismissed and one upheld) to the
committee's decision, its honours in the register with their certificates and on the roll.

Each nomination is moved by the pipeline's own services at made-up moments between its
round's first day and now, so that its history is what the pages and reports would have kept.
The demo's clerks review it, a newspaper's editor files the media cases, two panel reviewers
vote, and a volunteer with a verified phone nominates through the public form. The people and
their stories are made up, after the kinds of deeds the city's account tells of; their ID
numbers carry birthplaces outside the city's present area codes, so that they never meet the
register's generated people. Loaded once: a later load finds the editor's first case and adds
nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from core.auth.assignments import AssignmentKind, assignments_of, grant_assignment
from core.auth.models import Role, User
from core.auth.services import find_user_by_phone
from core.clock import local_day, local_moment, utcnow
from core.demo import OFFICE, ensure_account
from core.errors import Conflict
from core.extensions import db
from core.regions import get_region_by_code
from core.regions_demo import CLERKS, ROLES_HELD_FOR
from core.settings import current_settings
from honours.demo import FONT, avatar, monthly_round
from honours.demo import id_number as id_number_of
from honours.models import Gender, HonourCategory, Round, RoundStatus
from honours.nomination_models import (
    Agency,
    CheckResult,
    LeadSource,
    MediaDiscovery,
    Nomination,
    Stage,
)
from honours.services import background, decision, notice, panel, review, rounds
from honours.services import nomination_consent as consent
from honours.services import nomination_endings as endings
from honours.services import nomination_matching as matching
from honours.services import nominations as channels
from honours.services.nomination_files import Attachment, Incoming

EDITOR = ("13500000004", "秦皇岛日报 编辑 李晓光")
REVIEWERS = (("13500000005", "评议员 高德明"), ("13500000006", "评议员 冯淑贞"))
NOMINATOR = ("13500000007", "热心市民 宋春燕")
# Every number this module signs in with (each a volunteer account holding its roles).
PHONES = (EDITOR[0], *(phone for phone, _ in REVIEWERS), NOMINATOR[0])
# Demo volunteers who signed in once with an SMS code: they like the entries of last month's
# notice, and two of them object.
LIKERS = ("13900000001", "13900000002", "13900000003", "13900000004", "13900000007")
NEWSPAPER = "秦皇岛日报社"
COMMUNITY_UNIT = "文化里社区居委会"
WENHUALI = "haigang-wenhualu-01"
DOCUMENT = "秦文明委〔{year}〕{n}号"


@dataclass(frozen=True)
class Nominee:
    """A made-up nominee: who they are, where they live, and the deeds they are put forward
    for. `birthplace` is the area code their ID number carries."""

    name: str
    gender: Gender
    born: date
    birthplace: str
    serial: int
    place: str
    phone: str | None
    address: str
    category: HonourCategory
    summary: str
    deeds: str

    @property
    def id_number(self) -> str:
        return id_number_of(self.birthplace, self.born, self.serial, self.gender)


# The nominees ----------------------------------------------------------------------------------

MA_GUILAN = Nominee(
    name="马桂兰",
    gender=Gender.female,
    born=date(1963, 4, 18),
    birthplace="130323",
    serial=1,
    place=WENHUALI,
    phone="15833500101",
    address="文化里小区12号楼3单元401",
    category=HonourCategory.filial_piety,
    summary="照顾瘫痪婆婆十九年，又把患阿尔茨海默病的父亲接来同住，一个人撑起两位老人的晚年",
    deeds=(
        "马桂兰是文化里社区的一名普通居民，原是秦皇岛一家纺织厂的挡车工，2005年企业改制后下"
        "岗，靠在超市理货、做保洁补贴家用。2006年冬天，婆婆突发脑梗，经海港区人民医院抢救保住了"
        "性命，却落下右侧偏瘫，从此卧床不起。丈夫在秦皇岛港跑夜班，照顾老人的担子几乎全落在了"
        "她一个人身上。\n"
        "十九年来，她每天清晨五点起床，先给婆婆翻身、擦洗、换尿垫，再一勺一勺地喂饭喂药。为防"
        "止生褥疮，她每两个小时给老人翻一次身，夜里也定着闹钟。她跟着社区卫生服务站的护士学会"
        "了按摩、测血糖和简单的康复训练，把婆婆每天的用药、饮食和大小便都记在硬皮本上，如今已"
        "经记满了十一本。婆婆爱干净，她每周给老人洗一次头、剪一次指甲，床单被罩三天一换，屋里"
        "从来闻不到异味。老人卧床十九年，身上没有生过一处褥疮，来随访的医生都说少见。\n"
        "2017年，她的父亲被确诊为阿尔茨海默病。母亲早年去世，弟弟在外地打工，马桂兰和丈夫商量"
        "后，把父亲从抚宁老家接到了自己不到七十平方米的家里。父亲的病时好时坏，常常半夜起来嚷"
        "着要回老家，有两次独自出门走失，她和邻居们找了大半夜，最后在火车站附近把人找到。此后"
        "她给父亲的衣服都缝上写着住址和电话的布条，又在门上装了提醒铃，晚上从不敢睡沉。为了方"
        "便照顾，她辞掉了超市的工作，只在老人午睡的两个小时里接些手工活。\n"
        "两位老人都离不开人，她就把家里的客厅改成了“病房”，两张护理床并排摆着。她说：“一个是丈"
        "夫的妈，一个是我的爸，哪个都是我的亲人。”婆婆说话已经不清楚，却总拉着来串门的街坊，指"
        "着她竖大拇指。\n"
        "家里日子过得紧，她从不向社区伸手。社区要为她申请临时救助，她推给了楼里更困难的独居老"
        "人。疫情期间，她还主动帮同楼两位独居老人买菜取药，把自家包的饺子送到人家门口。楼里谁"
        "家老人住院，她也常去搭把手，教家属怎么翻身、怎么喂饭。她的女儿受她影响，大学毕业后考"
        "取了护理专业的研究生，说以后要照顾更多像奶奶、姥爷这样的老人。\n"
        "邻居们说，马桂兰家的门槛不高，可那份孝心谁都比不了。社区居委会多次上门走访核实，认为"
        "其事迹真实感人，拟推荐为“秦皇岛好人”孝老爱亲类候选人。"
    ),
)

HAN_LIJUN = Nominee(
    name="韩立军",
    gender=Gender.male,
    born=date(1970, 9, 2),
    birthplace="130203",
    serial=2,
    place=WENHUALI,
    phone="15833500102",
    address="文化里小区7号楼1单元502",
    category=HonourCategory.dedication,
    summary="驾驶公交车二十六年、安全行驶一百二十万公里零事故，车上常备急救包和老花镜的“暖心司机”",
    deeds=(
        "韩立军1994年进入秦皇岛市公共交通公司，先后驾驶过5路、6路和33路公交车，现在是6路车队的"
        "驾驶员兼安全员。二十六年来，他安全行驶一百二十余万公里，没有发生过一起责任事故，没有"
        "接到过一次有效投诉，连续多年被评为公司安全标兵。\n"
        "6路车从火车站开往北部工业区，沿途经过两家医院和三所学校，早晚高峰客流大，老人和学生"
        "多。韩立军每天提前四十分钟到场站，绕车检查轮胎、刹车和灯光，把车厢擦得干干净净。他在驾"
        "驶座旁备了一个“便民箱”，里面有急救包、老花镜、雨伞、零钱和充电线，十几年来不知帮过多"
        "少乘客。遇到拄拐杖的老人上车，他总要等老人坐稳扶好再起步；下雨天进站，他把车尽量靠近"
        "站台，不让乘客踩进积水。他熟悉沿线每一站附近的医院、药店和派出所，外地乘客向他问路，"
        "他总是说得清清楚楚，有时还在纸上画出路线。\n"
        "2019年8月的一天早上，一位老人在车上突然晕倒。韩立军立即靠边停车，一边拨打120，一边按"
        "照学过的急救知识让老人平躺、解开衣领，请乘客们帮忙疏散通风。救护车到达后，他和调度联"
        "系，安排车上的乘客换乘，自己跟到医院帮着联系家属，直到老人脱离危险才回到车队。老人的"
        "儿子后来送来锦旗，他却说：“换了谁开这趟车，都会这么做。”\n"
        "他是车队里的“老师傅”，先后带出十七名徒弟。他把自己总结的“起步稳、转弯慢、进站准、服务"
        "暖”十二字经写在小本子上，手把手教给年轻司机。冬天凌晨发车，他总是第一个到场站，把几辆"
        "车都预热好；春节、中秋值班，他主动替家在外地的同事顶班，一顶就是十几年。他的驾驶座下"
        "总放着一块抹布和一瓶消毒液，乘客晕车呕吐，他停好车默默收拾干净。\n"
        "近年来，他利用休息时间参加交通文明劝导志愿服务，在文化路口劝导行人文明过马路，累计服"
        "务时长超过六百小时。他所在的社区说，韩师傅是大家公认的热心人，楼道灯坏了、邻居家水管"
        "漏了，他都会第一时间过去帮忙。\n"
        "乘客们说，坐韩师傅的车“心里踏实”。二十六年里，他没有豪言壮语，只是把每一趟车开稳、把"
        "每一位乘客送好。社区经走访乘客、车队和邻居，认为其事迹属实，推荐为“秦皇岛好人”敬业奉"
        "献类候选人。"
    ),
)

SUN_YUFEN = Nominee(
    name="孙玉芬",
    gender=Gender.female,
    born=date(1956, 1, 25),
    birthplace="130223",
    serial=3,
    place=WENHUALI,
    phone="15833500103",
    address="文化路108号院2单元301",
    category=HonourCategory.helping_others,
    summary="退休教师义务开办“四点半课堂”十二年，辅导外来务工人员子女六百余人",
    deeds=(
        "孙玉芬是海港区一所小学的退休语文教师，教了三十五年书。2013年退休那年，她发现住的文化"
        "里社区周边有不少在港口、建材市场打工的外地家庭，父母下班晚，孩子放学后只能在街上游"
        "荡，有的一个人在出租屋里等到天黑。她心里放不下，就和社区商量，借来居委会的一间活动室，"
        "办起了免费的“四点半课堂”。\n"
        "起初只有五六个孩子，桌椅是从旧货市场淘来的，黑板是她自己买的。她每天下午四点准时到活"
        "动室，辅导孩子们写作业、读课文、练书法，遇到家长加班，她就陪着孩子等到七八点，再一个"
        "个送回家。她给每个孩子建了一本“成长档案”，记下他们的学习情况、家庭困难和身体状况，哪"
        "个孩子哪天咳嗽、哪个孩子数学哪一单元没学会，她都清清楚楚。\n"
        "十二年来，“四点半课堂”从一间屋发展到三间屋，从她一个人发展到二十多名退休教师和大学生"
        "志愿者轮流值班。燕山大学和东北大学秦皇岛分校的学生们每周都来上科学课、英语课，她把志"
        "愿者排班表贴在墙上，寒暑假也不停课。累计辅导的外来务工人员子女有六百多人，其中四十多"
        "人考上了大学，有的孩子大学毕业后又回到课堂当起了志愿者老师。\n"
        "她从不收一分钱，还常常自掏腰包给孩子们买文具、订报纸。有个孩子的父亲在工地受伤，家里"
        "交不起学费，她拿出自己两个月的退休金帮着垫上，又帮着联系社区申请了救助。有一年冬天，"
        "她发现一个孩子总穿着单鞋来上课，第二天就买了一双棉鞋悄悄放进孩子的书包。\n"
        "2021年，她做了乳腺手术，出院第三天就回到了课堂，家人劝她歇歇，她说：“孩子们在等我，我"
        "躺在家里心里不踏实。”这些年她腰椎不好，久坐就疼，就在讲台边放一把高凳，站累了靠一会"
        "儿。\n"
        "课堂里的孩子来自河南、山东、东北和本市各个县区，口音不同，基础也参差不齐。她因材施"
        "教，给基础弱的孩子开“小灶”，给喜欢读书的孩子开书单，还把自己家的两千多册藏书搬到活动"
        "室，办起了小小图书角。每逢传统节日，她带着孩子们包饺子、写春联、做灯笼，让这些离开老家"
        "的孩子在秦皇岛也有过节的热闹。她还常常到孩子们的出租屋里家访，教家长怎么和孩子沟通，"
        "帮着调解过好几起家庭矛盾。\n"
        "家长们说，孙老师给了孩子们一个放学后的“家”。社区居民说，每天下午活动室里传出的读书"
        "声，是文化里最好听的声音。街道经走访核实，认为其事迹突出，同意推荐为“秦皇岛好人”助人为"
        "乐类候选人。"
    ),
)

DENG_ZHIGANG = Nominee(
    name="邓志刚",
    gender=Gender.male,
    born=date(1968, 7, 11),
    birthplace="130225",
    serial=4,
    place=WENHUALI,
    phone="15833500104",
    address="文化里小区3号楼2单元102",
    category=HonourCategory.honesty,
    summary="弟弟病逝留下四十多万元欠款，他卖掉自家住房，用八年时间一笔一笔还清",
    deeds=(
        "邓志刚是海港区一家汽车修理铺的老板，为人实在，手艺好，街坊们都叫他“邓师傅”。2016年，"
        "他的弟弟邓志明因肝癌去世，年仅四十二岁。弟弟生前经营一家小型建材店，生病后店铺关门，"
        "前前后后向亲戚朋友、供货商和银行借了四十三万多元用于治病和周转，大多只有一张借条，有"
        "的连借条都没有。\n"
        "弟弟去世后，弟媳带着年幼的侄子回了娘家，债主们以为这些钱要不回来了。办完丧事的第二"
        "天，邓志刚把弟弟的账本、借条和手机里的聊天记录一一整理出来，挨家挨户登门，对每位债主说"
        "同一句话：“我弟弟欠的钱，我来还，一分不少，请给我些时间。”\n"
        "他和妻子商量后，卖掉了自家在文化里的一套两居室，先还清了银行的贷款和几位老人的养老"
        "钱，一家三口搬进了修理铺后面的一间平房。剩下的二十多万元，他给自己定了计划：每个月修车"
        "的收入除了基本生活开支，全部拿来还债。为了多挣钱，他每天早上六点开门，晚上十点才收"
        "工，逢年过节也很少歇业。\n"
        "八年时间里，他一笔一笔地还，每还一笔就在本子上记一笔，请债主签字按手印。有位供货商说"
        "当年的货款只有口头约定，记不清具体数目了，他就照着弟弟账本上的记录足额送去；有的债主"
        "主动提出少还一些，他都婉言谢绝。2024年春节前，他还清了最后一笔一万二千元，把那个记满"
        "签字的本子郑重地交给了侄子。\n"
        "还债期间，他还一直负担着侄子的学费。侄子考上了河北科技师范学院，他去送行时叮嘱侄子：“"
        "做人要讲信用，欠了人家的就得还。”侄子说，大伯是他一辈子的榜样。\n"
        "这些年，家里最困难的时候，妻子在超市打零工，女儿上学的生活费一省再省，一家人几年没添"
        "过一件新衣服。有亲戚劝他说，弟弟的债按法律不该由他来还，何必把自己的日子过得这么苦。"
        "他说：“法律上是这么回事，可人家当初借钱是信得过我们邓家，我不能让弟弟走了还背着骂"
        "名。”有一位债主是退休的老工人，借出的三万元是给自己养老的，邓志刚把这一笔排在最前面，分三"
        "次还清，每次都亲自送到老人家里。\n"
        "修理铺的老顾客们说，邓师傅修车从不以次充好、从不乱要价，几块钱的小毛病从来不收钱。街"
        "道和区文明办走访了多位债主和邻居，大家都说他是“说到做到的人”。区文明办经审核认为其事"
        "迹真实，同意推荐为“秦皇岛好人”诚实守信类候选人。"
    ),
)

YANG_FAN = Nominee(
    name="杨帆",
    gender=Gender.male,
    born=date(1991, 5, 30),
    birthplace="130323",
    serial=5,
    place=WENHUALI,
    phone="15833500105",
    address="文化路东段25号院1单元602",
    category=HonourCategory.bravery,
    summary="外卖骑手途经起火居民楼，冲进浓烟背出被困的八旬老人",
    deeds=(
        "杨帆是一名外卖骑手，老家在抚宁区的一个小山村，2015年来到市区打拼，每天骑着电动车穿梭"
        "在海港区的大街小巷。\n"
        "今年春天的一天中午，他送餐途经文化路附近一处老旧小区，看到一栋六层居民楼的三楼窗户冒"
        "出滚滚浓烟，楼下有人大喊“屋里还有老人”。杨帆来不及多想，把电动车往路边一停，一边让旁"
        "人拨打119，一边冲进了单元门。\n"
        "楼道里烟雾弥漫，他用随身带的毛巾捂住口鼻，一口气跑上三楼，发现起火的房门虚掩着，一位"
        "八十多岁的老奶奶被浓烟呛得瘫坐在客厅门口，已经说不出话来。屋里的火势正往客厅蔓延，他"
        "顾不上灼热，弯腰把老人背到背上，摸着楼梯扶手一步一步往下挪。下到二楼时，他被浓烟呛得"
        "眼前发黑，险些摔倒，硬是咬着牙把老人背出了单元门。\n"
        "消防员赶到后很快扑灭了大火，老人被送往医院，经抢救脱离了危险。杨帆却因为吸入大量浓"
        "烟，出现咳嗽、胸闷，也被送进医院住了五天。住院期间，他最惦记的是那天没送完的两份外卖，"
        "还托同事向顾客道歉。老人的家人找到他要当面感谢，送上的慰问金他一分没收，只说：“谁碰上"
        "都会去的，换了我家老人出事，也盼着有人能帮一把。”\n"
        "事后大家才知道，这不是杨帆第一次出手相助。送餐路上，他帮迷路的老人找过家，扶过摔倒的"
        "孕妇，还把捡到的钱包原样送到派出所。他所在的站点每年评选“暖心骑手”，他连续三年榜上有"
        "名。\n"
        "杨帆家境并不宽裕，父亲常年患病，他每月把大半收入寄回老家，自己和几个老乡合租在城中村"
        "的一间小屋里。出院后，站点给他放了几天假，他只休息了两天就又骑上了电动车。有人问他当"
        "时怕不怕，他说：“怕，楼道里什么都看不见，呛得喘不上气，可一想到老人还在上面，腿就停不"
        "下来了。”被救老人的孙女后来在网上发帖寻找这位“外卖小哥”，帖子被转发了上万次，网友们纷"
        "纷留言为他点赞，他却把帖子转给站长，说别再扩散了。\n"
        "消防部门的火灾调查认为，若不是他及时将老人背出，后果不堪设想。这件事在小区里传开后，"
        "居民们自发给站点送去了感谢信。社区、街道和区文明办逐级走访了被救老人、目击居民和消防"
        "部门，核实了救人经过，认为杨帆危急时刻挺身而出、舍己救人，推荐其为“秦皇岛好人”见义勇"
        "为类候选人。"
    ),
)

JIA_SHUZHEN = Nominee(
    name="贾淑珍",
    gender=Gender.female,
    born=date(1949, 12, 8),
    birthplace="130224",
    serial=6,
    place=WENHUALI,
    phone="15833500106",
    address="文化里小区15号楼1单元201",
    category=HonourCategory.helping_others,
    summary="十五年义务编织毛衣毛裤三千余件，送给福利院孩子和山区学生",
    deeds=(
        "贾淑珍今年七十多岁，退休前是秦皇岛一家毛纺厂的质检员，一双巧手织了一辈子毛线。2010"
        "年，她在电视上看到山区孩子冬天穿着单薄的衣服上学，心里很不是滋味，就买来毛线，给孩子们"
        "织起了毛衣、毛裤、帽子和围巾。\n"
        "十五年来，她每天早饭后坐到阳台的小板凳上，一织就是五六个小时，眼睛花了就戴上老花镜，"
        "手指磨出了茧子就缠上胶布接着织。她给自己定了规矩：每个月至少织二十件，冬天来之前要攒"
        "够一批送出去。毛线大多是她用退休金买的，也有邻居和老同事听说后送来的旧毛衣，她拆洗干"
        "净、重新缠团，一点也不浪费。\n"
        "她织的东西针脚细密、样式新颖，孩子们穿上既暖和又好看。她专门找来不同年龄孩子的尺码"
        "表，按尺码分类包好，还在每件衣服里缝上一张写着“好好学习，天天向上”的小布条。市儿童福利"
        "院的孩子、青龙山区几所小学的学生，还有社区里的孤寡老人，都穿过她织的衣物。累计下来，"
        "她已经织了三千多件。\n"
        "在她的带动下，社区里二十多位退休老姐妹组成了“爱心编织队”，每周二、周五聚在活动室一起"
        "织，边织边聊，老人们说既帮了别人，也让自己的晚年有了奔头。编织队每年冬天都要送出几百"
        "件衣物，还教会了不少年轻妈妈织毛衣。\n"
        "有人劝她歇歇，说这么大岁数了何必这么辛苦，她笑着说：“我手还能动，能给孩子们添件暖和衣"
        "裳，心里就高兴。”福利院的孩子们给她写信、画画，她一张张收好，压在玻璃板下面。\n"
        "老伴在世时，总是帮她绕毛线、打包裹，骑着三轮车把一包包衣物送到邮局和福利院。老伴去世"
        "后，社区的志愿者接过了送衣物的活儿，她就更专心地织。有一年冬天她的手腕患了腱鞘炎，医"
        "生让她休息，她就改用左手练着织，慢是慢些，一天也没停下。她织的每件衣物都要先自己试一"
        "试领口、袖口松紧，针脚不匀的就拆了重织，她说：“送给孩子的东西，要像给自己孙子织的一"
        "样。”她还记着每一批衣物送到了哪里，收到孩子们的回信，比什么都开心。\n"
        "贾淑珍一向低调，几次有媒体想采访她，都被她婉言谢绝。社区和街道多次走访核实，认为其十"
        "五年坚持不懈、默默奉献，事迹感人，推荐其为“秦皇岛好人”助人为乐类候选人。"
    ),
)

TIAN_ZHIYONG = Nominee(
    name="田志勇",
    gender=Gender.male,
    born=date(1972, 3, 16),
    birthplace="130323",
    serial=7,
    place=WENHUALI,
    phone="15833500107",
    address="文化里小区5号楼2单元401",
    category=HonourCategory.filial_piety,
    summary="悉心照料九旬老母亲，还把无儿无女的邻居老人当亲爹照顾了十年",
    deeds=(
        "我是田志勇的邻居，和他家住对门已经二十多年了，想推荐他参评“秦皇岛好人”。\n"
        "田志勇的母亲今年九十三岁，患有高血压和严重的骨质疏松，前几年摔了一跤后就再没能自己下"
        "楼。田志勇是家里的独子，父亲去世早，母亲一个人把他拉扯大。为了照顾母亲，他五十岁那年"
        "从港务局提前内退，把全部心思都放在了老人身上。\n"
        "他每天给母亲做三顿饭，变着花样做软烂好嚼的，鱼要挑净刺，肉要剁成馅。每天上午天气好的"
        "时候，他都要把母亲从四楼背下来，放在轮椅上推到小区花园晒太阳，下午再背上去。有一回我"
        "下楼倒垃圾，正看见他背着老人一步一步上楼，满头大汗，老人在他背上笑着说“我儿子背得"
        "稳”，我眼泪一下就掉下来了。\n"
        "更让我们敬佩的是，田志勇不光孝顺自己的母亲，还把楼下的刘大爷当成了亲人。刘大爷无儿无"
        "女，老伴去世后一个人生活，腿脚不好。十年前的一个冬天，刘大爷家暖气管爆了，是田志勇连"
        "夜帮他修好，还把老人接到自己家住了一个星期。从那以后，他每天做饭都多做一份给刘大爷送"
        "去，老人看病、取药、交水电费，都是他跑前跑后。前年刘大爷住院做手术，病房里签字的、陪"
        "床的都是田志勇，医生还以为他是老人的亲儿子。\n"
        "田志勇的妻子也很支持他，两口子把两位老人都照顾得干干净净。楼里的老人们都说，有田志勇"
        "在，大家心里踏实。谁家灯泡坏了、下水道堵了，喊一声他就来。\n"
        "田志勇的母亲年轻时在纺织厂做工，落下了一身病，近几年晚上常常睡不好。田志勇就在母亲床"
        "边支了一张折叠床，夜里老人一翻身他就醒，陪着说说话、揉揉腿，等老人睡着了自己才合眼。"
        "老人爱听评剧，他专门买了一台收音机，还把老人年轻时爱唱的段子下载到手机里，每天放给她"
        "听。逢年过节，他把刘大爷接到家里一起吃团圆饭，两位老人坐在一起聊天，家里热热闹闹的，"
        "刘大爷说这是他老伴走后过得最开心的年。\n"
        "他从来不觉得自己做了什么了不起的事，总说：“孝顺自己的妈是本分，刘大爷一个人不容易，搭"
        "把手是应该的。”我觉得这样的好人应该让更多人知道，所以通过网上填写了这份推荐，希望社区"
        "能去看看、核实一下。我可以帮忙联系邻居们，大家都愿意为他作证。"
    ),
)

HU_DESHUN = Nominee(
    name="胡德顺",
    gender=Gender.male,
    born=date(1952, 10, 5),
    birthplace="130229",
    serial=8,
    place=WENHUALI,
    phone="15833500108",
    address="文化里小区9号楼4单元101",
    category=HonourCategory.helping_others,
    summary="退休水暖工二十年义务为社区老人修水管、通下水道，从不收一分钱",
    deeds=(
        "胡德顺今年七十多岁，退休前是一家国营企业的水暖工。2005年退休后，他没有在家享清福，而"
        "是背起工具包，义务为文化里社区及周边的老人修水管、通下水道、换水龙头，一干就是二十"
        "年，从没收过一分钱。\n"
        "他的工具包里常年装着管钳、扳手、生料带和各种规格的垫片，社区里谁家水管漏了、马桶堵"
        "了，打个电话他就上门。老旧小区的管道老化，冬天常常冻裂，最冷的那几天他一天要跑七八户，"
        "手冻得裂了口子，回家抹点药膏第二天接着干。碰到需要换零件的，小零件他自己掏钱买，大件"
        "才让住户出钱，还帮着去建材市场挑又便宜又好用的。\n"
        "社区的孤寡老人、残疾人家庭，是他最惦记的。每年入冬前，他都要挨家挨户上门检查一遍暖气"
        "阀门和水管，提前把隐患排除掉。住在六楼的独居老人王奶奶行动不便，家里的小毛病全靠他，"
        "老人说：“胡师傅比亲儿子来得还勤。”\n"
        "2018年，他牵头成立了“德顺爱心维修队”，召集社区里懂电工、木工、家电维修的退休老人一起"
        "参加，每月第一个周六在社区广场摆摊，免费为居民修理小家电、磨剪子、修自行车。维修队现"
        "在有十五名队员，累计服务居民四千多人次。他还手把手教年轻人水暖手艺，说手艺传下去，才"
        "能帮更多人。\n"
        "老伴有时心疼他，说他一把年纪了别再爬高上低，他却说：“我有这手艺，闲着也是闲着，能帮一"
        "把是一把。”前年他做了心脏支架手术，出院没多久又背起了工具包，只是把爬高的活儿交给了年"
        "轻队员。\n"
        "社区里有一户低保家庭，卫生间的下水管道常年渗漏，楼下邻居意见很大，两家一度闹到居委"
        "会。胡德顺知道后，带着工具连干了两天，把整段管道都换成了新的，材料钱也是他垫付的，两家"
        "人从此和好如初。这样的事，在他二十年的义务维修里数也数不清。他有一个记事本，记着每次"
        "上门的时间、住户和修了什么，二十年记了整整九本，粗粗一算上门服务超过六千次。社区居委"
        "会说，胡师傅是社区的“编外维修员”，哪里有需要，哪里就有他的身影。\n"
        "社区居民说，胡师傅修好的不只是水管，还有邻里之间的那份热乎劲儿。这条线索是居民通过市"
        "文明办的热线反映的，希望社区能核实他的事迹，推荐他参评“秦皇岛好人”。"
    ),
)

JIANG_HAIBO = Nominee(
    name="蒋海波",
    gender=Gender.male,
    born=date(1985, 6, 22),
    birthplace="130323",
    serial=9,
    place="beidaihe-dongshan-02",
    phone="15833500109",
    address="鸽子窝社区渔村路6号",
    category=HonourCategory.bravery,
    summary="北戴河海域离岸流卷走三名游客，他三次下海将人全部救回",
    deeds=(
        "蒋海波是北戴河区东山街道的一名渔民，从小在海边长大，水性极好，闲暇时是北戴河海滨浴场"
        "的志愿救生员。\n"
        "今年七月的一天傍晚，北戴河鸽子窝附近海域风浪突然变大，三名外地游客在未开放的海域游"
        "泳，被离岸流卷向深海，离岸越来越远，在海里拼命呼救。正在附近收拾渔具的蒋海波听到喊声，"
        "扔下手里的东西就往海边跑，一边让岸上的人报警、找救生圈，一边脱下外衣跳进海里。\n"
        "离岸流水流湍急，硬往岸边游只会耗尽体力。蒋海波凭着多年的经验，先顺着水流斜向游出，绕"
        "到最远的一名少年身边，把他托住，再横向游出离岸流，带着他游回岸边。上岸喘了几口气，他"
        "又抓起一个救生圈第二次下海，把一名已经呛水的中年男子拖了回来。此时第三名游客的体力也"
        "快耗尽，在浪里时隐时现，蒋海波顾不上自己已经手脚发软，第三次冲进海里，游出一百多米才"
        "把人救回。三次往返，他在海里游了将近四十分钟，上岸时腿部抽筋，瘫坐在沙滩上半天起不"
        "来。\n"
        "三名游客获救后被送往医院检查，均无大碍。他们的家人第二天找到蒋海波家里道谢，要给他"
        "钱，他摆摆手说：“都是一条命，在海边长大的人，看见了不能不管。”\n"
        "事后了解到，这些年蒋海波在海边已经救起过十多名落水者，但他从没对人说起过。他还自费买"
        "了救生圈和救生绳放在渔船和常去的海滩上，每年旅游旺季主动到浴场做志愿救生员，给游客讲"
        "解离岸流的危险和自救方法，提醒大家不要到未开放海域游泳。\n"
        "蒋海波家境普通，靠出海打鱼和夏季在浴场打零工维持生活。救人那天，他扔在礁石边的渔具被"
        "潮水冲走了一部分，损失了几百元，他也没对人提起。妻子知道后埋怨他不顾自己安危，他说：“"
        "我熟悉这片海，我不下去，他们就等不到救生艇了。”当地派出所和海滨浴场为他申报了见义勇为"
        "表彰，他却说自己只是做了一个海边人该做的事。在他的影响下，村里几个年轻人也报名参加了"
        "志愿救生队，跟着他学习水上救援。\n"
        "秦皇岛日报记者在采访海滨浴场安全保障工作时得知此事，经走访被救游客、目击者和当地派出"
        "所，核实了救人经过，并作了报道。报社认为蒋海波临危不惧、三次下海救人，事迹感人，推荐"
        "其为“秦皇岛好人”见义勇为类候选人。"
    ),
)

XU_WENJING = Nominee(
    name="许文静",
    gender=Gender.female,
    born=date(1983, 2, 14),
    birthplace="130223",
    serial=10,
    place="changli-changli-02",
    phone="15833500110",
    address="城郊村二街18号",
    category=HonourCategory.dedication,
    summary="扎根村卫生室二十年，为全村一千二百多名村民建立健康档案，随叫随到",
    deeds=(
        "许文静是昌黎县昌黎镇城郊村的乡村医生。2005年，她从卫生学校毕业后，放弃了在市区医院工"
        "作的机会，回到村里接过了父亲的村卫生室，一干就是二十年。\n"
        "城郊村有一千二百多口人，年轻人大多外出打工，留在村里的多是老人和孩子。许文静给全村每"
        "户人家都建了健康档案，高血压、糖尿病患者的血压血糖她每月上门测一次，谁家老人该复查"
        "了、谁家孩子该打疫苗了，她心里都有一本账。村民们说，有个头疼脑热，找“许大夫”比去县城医"
        "院还方便。\n"
        "她的手机二十四小时开机，村民半夜打电话，她背起药箱就走。有一年冬天下大雪，村东头一位"
        "老人突发心绞痛，她踩着没过脚踝的积雪赶过去，给老人含服急救药、吸氧，一直守到县医院的"
        "救护车赶到。医生说，再晚半个小时就危险了。二十年来，她夜间出诊有两千多次，光手电筒就"
        "用坏了十几个。\n"
        "村里的葡萄是主要收入，每到采收季节，农户们起早贪黑在地里忙，她就把卫生室的门一直开到"
        "晚上十点，还背着药箱到葡萄地头为村民测血压、处理外伤。她自费订了医学杂志，利用晚上时"
        "间学习，先后取得了执业助理医师资格和全科医生培训证书，还把学到的慢病管理知识编成顺口"
        "溜，在村里的大喇叭上播放。\n"
        "疫情期间，她挨家挨户排查登记，为村里的老人上门接种疫苗，连续两个多月没有休息过一天。"
        "她的女儿在县城上学，母女俩常常一个月见不上一面。\n"
        "村卫生室条件简陋，她自己动手把屋子粉刷一新，隔出了诊室、治疗室和药房，墙上贴满了健康"
        "知识的宣传画。她给村里二百多位慢病患者每人建了一张随访卡，详细记录每次的血压血糖和用"
        "药情况，发现异常及时提醒转诊。村里有位独居的五保老人，她每周都要上门两次，量血压、送"
        "药，还帮老人洗衣做饭，老人逢人就说“许大夫就是我的亲闺女”。二十年来，她没有出过一起医"
        "疗差错，被县里评为优秀乡村医生。\n"
        "有人问她后不后悔当初没留在城里，她说：“乡亲们看着我长大，我在这儿，他们心里踏实。”秦"
        "皇岛日报记者在采写基层卫生工作时了解到她的事迹，经走访村民和县卫生健康局核实，推荐其"
        "为“秦皇岛好人”敬业奉献类候选人。"
    ),
)

ZHENG_GUODONG = Nominee(
    name="郑国栋",
    gender=Gender.male,
    born=date(1975, 8, 8),
    birthplace="130323",
    serial=11,
    place="funing-licheng-01",
    phone="15833500111",
    address="骊城社区兴华街36号",
    category=HonourCategory.honesty,
    summary="发现所售化肥不达标，主动召回并垫付十一万余元赔偿一百三十多户农户",
    deeds=(
        "郑国栋在抚宁区骊城街道经营一家农资店已经二十多年，主要卖种子、化肥和农药，周边十几个"
        "村的农户都在他店里买东西。他常说：“卖给庄稼人的东西，关系到人家一年的收成，半点马虎不"
        "得。”\n"
        "去年春耕时节，他从一家厂家进了一批复合肥，卖出去两百多袋。没过多久，有两户农民来反"
        "映，施了这批肥的玉米苗长得不好。郑国栋没有推说是天气或者种子的原因，而是亲自下地查看，"
        "又把剩下的化肥送到区农业农村局检测，结果发现这批化肥的养分含量不达标。\n"
        "他当即做了两件事：一是立刻停止销售，把店里和仓库剩下的货全部封存；二是按照销售记录，"
        "一户一户打电话、上门，通知买了这批化肥的农户停止使用，并承诺全额退款、免费补发合格化"
        "肥。有的农户已经施了肥，苗情受到影响，他请来农技员逐地块查看评估，按照减产损失给予赔"
        "偿。前后涉及一百三十多户农民，退款加赔偿一共十一万多元，全部由他先行垫付。\n"
        "事后，他通过法律途径向生产厂家追偿，但官司打了一年多，只追回了一部分。家人埋怨他太实"
        "在，他说：“厂家的账我慢慢跟他们算，老百姓的损失不能等。”这件事让他亏了大半年的利润，"
        "却让他在乡亲们中间赢得了更多的信任，第二年来店里买农资的农户反而更多了。\n"
        "二十多年来，郑国栋的店里从不卖来路不明的农资，每一笔进货都留存票据，每一笔销售都登记"
        "在册。遇到困难农户，他允许赊账到秋后，从不催要、从不加价。他还经常请农技专家到店里给"
        "农民讲课，免费为农户提供测土配方服务。\n"
        "郑国栋的店门口挂着一块小黑板，上面写着当季主要农资的进价和售价，他说让乡亲们心里有个"
        "底，买得明白。有农户拿着别家的低价化肥来问他，他会实话实说，告诉对方哪些牌子质量靠得"
        "住、哪些价格低得离谱要当心。这些年他先后接到过十几次厂家推销的“高利润”产品，只要手续"
        "不全、来路不明，给多少回扣他也不进。他说：“我这个店开了二十多年，靠的不是便宜，是乡亲"
        "们信得过。”\n"
        "秦皇岛日报记者在采访春耕备耕时听农户们说起此事，经走访受偿农户、区农业农村局和市场监"
        "管部门核实，报社认为郑国栋诚信经营、主动担责，推荐其为“秦皇岛好人”诚实守信类候选人。"
    ),
)

LUO_XIAOYAN = Nominee(
    name="罗晓燕",
    gender=Gender.female,
    born=date(1988, 11, 3),
    birthplace="130283",
    serial=12,
    place=WENHUALI,
    phone="15833500112",
    address="文化里小区21号楼1单元302",
    category=HonourCategory.dedication,
    summary="社区护士八年利用休息时间上门为卧床老人换药护理，服务三千多次",
    deeds=(
        "罗晓燕是文化路街道社区卫生服务中心的一名护士，工作十二年，是同事们眼中的“拼命三娘”。\n"
        "八年前，她在一次入户随访中发现，社区里不少卧床老人因为行动不便，伤口换药、更换胃管尿"
        "管都要家属叫车送到医院，折腾一趟老人受罪，家属也吃不消。从那以后，她就利用休息时间，"
        "背着护理包上门为这些老人换药、护理，一坚持就是八年。\n"
        "她建了一个“家庭病床”微信群，把社区里五十多户有卧床老人的家庭都拉了进来，家属有问题随"
        "时在群里问，她下了班就一条条回复，需要上门的就记下来，排好时间一家家去。她教家属怎么"
        "给老人翻身拍背、怎么预防褥疮、怎么观察伤口，还自己做了图文并茂的护理小册子发给大家。"
        "八年来，她上门服务三千多次，没有收过一分钱，连路上的打车钱都是自己出。\n"
        "文化里社区有一位九十岁的老人，因糖尿病足溃烂多年，家属一度以为保不住腿了。罗晓燕连续"
        "半年每隔两天上门清创换药，查资料、请教医院的专家调整护理方案，最终伤口完全愈合。老人"
        "的女儿说：“是罗护士保住了我妈的腿。”\n"
        "她还是中心的业务骨干，连续多年被评为优秀护士，带教的年轻护士有二十多名。疫情期间，她"
        "主动报名到隔离点工作，四十多天没有回家。她的儿子那年刚上小学，母子俩只能在视频里见"
        "面。\n"
        "为了方便上门服务，她自费买了一辆电动车，车筐里常年放着护理包、血压计和消毒用品。冬天"
        "天黑得早，她下班后骑车挨家上门，回到家常常已是晚上九点多。丈夫心疼她，后来干脆下班后"
        "骑车跟着她一起去，帮着扶老人、递东西，成了她的“编外助手”。她还把上门服务中遇到的典型"
        "病例整理成案例，在中心的业务学习会上分享，推动中心开设了家庭病床服务，让更多卧床老人"
        "享受到上门护理。\n"
        "这件事是秦皇岛日报记者在采访社区卫生服务时了解到的。因事迹主要发生在社区，报社在推荐"
        "时说明，希望社区和街道就上门服务的次数和服务对象再作实地核实。记者认为，罗晓燕把医院"
        "搬到了老人的床边，用专业和爱心温暖了社区的卧床老人，推荐其为“秦皇岛好人”敬业奉献类候"
        "选人。"
    ),
)

SHI_FENGYING = Nominee(
    name="石凤英",
    gender=Gender.female,
    born=date(1965, 6, 6),
    birthplace="130225",
    serial=13,
    place=WENHUALI,
    phone="15833500113",
    address="文化里小区2号楼3单元201",
    category=HonourCategory.filial_piety,
    summary="三十年照顾智力残疾的弟弟和年迈多病的父母，一家三代的日子靠她撑起来",
    deeds=(
        "石凤英今年六十多岁，家住海港区文化里社区。她的弟弟石凤林自幼智力残疾，生活不能完全自"
        "理，父母在世时一直由老两口照料。1995年，父亲患脑血栓偏瘫，母亲身体也越来越差，刚刚成"
        "家不久的石凤英毅然把父母和弟弟都接到了自己家中。\n"
        "那时她在一家商场上班，丈夫在外地工作，一个人要照顾三位病人，还要抚养年幼的女儿。她每"
        "天早上四点多起床，给父亲擦洗、喂饭，给弟弟穿衣、洗漱，把一家人的午饭做好放在锅里，再"
        "赶去上班。中午休息的一个小时，她骑车跑回家给父亲翻身、喂药，再赶回商场。一年到头，她"
        "几乎没睡过一个整觉。\n"
        "父亲卧床八年，在她的精心照料下没有生过褥疮，临终前拉着她的手说：“把你弟弟交给你，我放"
        "心。”母亲去世后，照顾弟弟的担子全压在了她身上。弟弟智力只有几岁孩子的水平，脾气时好时"
        "坏，有时会跑出去找不到家。她就教弟弟认路、记电话号码，带着他做简单的家务，还给他报名"
        "参加了社区的残疾人康复活动。在她的耐心照顾下，弟弟慢慢学会了自己吃饭、穿衣、打扫卫"
        "生，还能帮着姐姐择菜、晾衣服。\n"
        "三十年来，石凤英从没想过把弟弟送走。有人劝她把弟弟送到养老机构，她说：“他是我弟弟，只"
        "要我还能动，就不能让他离开家。”她把弟弟的衣服洗得干干净净，每年都带他去做体检，弟弟生"
        "病住院，她就在病床边守着。\n"
        "她的女儿长大后也和母亲一起照顾舅舅，周末总带舅舅去海边散步。邻居们说，石凤英一家是文"
        "化里最和睦的一家，谁家有矛盾，都爱找她说道说道。\n"
        "这些年，石凤英为了照顾家人，放弃了商场升职的机会，后来干脆提前办理了退休。家里的积蓄"
        "大多花在了父母看病和弟弟的康复上，她和丈夫一直住在一套五十多平方米的老房子里，却总是"
        "把最好的房间留给弟弟。弟弟喜欢画画，她就买来画笔和本子，陪着他一笔一笔地画，如今弟弟"
        "的画已经贴满了一面墙。社区组织残疾人才艺展示，弟弟的画还得了奖，她高兴得把奖状装进镜"
        "框挂在客厅最显眼的地方。\n"
        "石凤英的事迹在社区里传为佳话。社区居委会经多次入户走访，认为其三十年如一日照顾残疾弟"
        "弟和年迈父母，孝老爱亲事迹突出，推荐其为“秦皇岛好人”孝老爱亲类候选人。"
    ),
)

CHANG_DELIN = Nominee(
    name="常德林",
    gender=Gender.male,
    born=date(1958, 4, 12),
    birthplace="130227",
    serial=14,
    place=WENHUALI,
    phone="15833500114",
    address="文化里小区11号楼2单元601",
    category=HonourCategory.helping_others,
    summary="自费改装“爱心车”，十年免费接送社区老人看病一万余人次",
    deeds=(
        "我想推荐文化里社区的常德林大爷参评“秦皇岛好人”，他是我们社区公认的热心人。\n"
        "常大爷退休前是一名出租车司机，开了三十多年车。2014年退休后，他看到社区里不少老人去医"
        "院看病很不方便，子女上班顾不上，打车又常常打不到，就拿出自己的积蓄，把家里的一辆面包"
        "车改装了一下，加装了扶手和踏板，车身上贴了“爱心车”三个大字，免费接送社区老人去医院看"
        "病。\n"
        "从那以后，常大爷的手机就成了社区老人的“叫车热线”。每天早上七点，他准时出车，把约好的"
        "老人一个个接上，送到市第一医院、海港医院和中医院，有的老人不会挂号、不会用自助机，他"
        "就陪着挂号、排队、取药，看完病再送回家。老人们过意不去要给油钱，他一概不收，说：“我开"
        "了一辈子车，现在能拉着老伙计们看病，心里痛快。”\n"
        "十年来，“爱心车”跑了二十多万公里，接送老人看病一万多人次，光汽油费就花了十多万元，全"
        "是常大爷自己的退休金。车子旧了，他自己动手修，修不了的就到朋友的修理铺去，朋友知道他"
        "做好事，也常常只收个零件钱。\n"
        "在他的带动下，社区里又有六位有车的居民加入了“爱心车队”，大家排了班，保证每天都有车可"
        "用。常大爷还给每位队员讲安全驾驶的经验，要求大家接送老人时车速不能快、上下车要搀扶。\n"
        "我家老父亲做透析，每周三次，有两年多都是常大爷接送的，风雨无阻，从来没有误过一次。有"
        "一次下大雨，路上积水，常大爷怕老人淋雨，把车开到单元门口，撑着伞把我父亲扶上车，自己"
        "浑身湿透。我们全家都很感激他。\n"
        "常大爷的爱心车还跑过不少“急活”。有一年春节前的深夜，楼上一位独居老人突发脑出血，救护"
        "车一时赶不到，是常大爷和邻居们把老人抬上车，一路开着双闪送到医院，抢出了宝贵的时间。"
        "医生说，再晚一点就危险了。为了应对这样的情况，他跟着社区卫生服务站学了急救知识，车上"
        "常备着急救包、轮椅和氧气袋。他还有一个小本子，记着每位常坐车的老人的病情、常去的科室"
        "和子女的电话，一旦有事能第一时间联系上。\n"
        "常大爷今年六十八岁了，还说只要身体允许就一直开下去。我觉得这样的好人应该被大家知道，"
        "特地通过网上推荐，希望社区能去了解核实。"
    ),
)

QI_ZHIYUAN = Nominee(
    name="齐志远",
    gender=Gender.male,
    born=date(1984, 9, 19),
    birthplace="130281",
    serial=15,
    place="shanhaiguan-nanguan-01",
    phone="15833500115",
    address="南关社区南关大街52号",
    category=HonourCategory.bravery,
    summary="老龙头景区游客失足落海，他跳入风浪将人托举上岸，自己多处受伤",
    deeds=(
        "齐志远是山海关区老龙头景区的一名安保员，今年四十二岁，在景区工作了十五年。\n"
        "去年国庆假期的一天下午，老龙头入海石城外风大浪急，一名外地游客在礁石上拍照时脚下一"
        "滑，跌入海中，被海浪卷离礁石十几米远，在浪里拼命挣扎。周围游客惊呼一片，正在附近巡逻的"
        "齐志远听到呼救声，一边用对讲机呼叫同事拿救生设备，一边冲到礁石边。\n"
        "当时海浪有一米多高，礁石湿滑，跳下去十分危险。看到落水游客已经开始下沉，齐志远来不及"
        "等救生艇，脱掉外套就跳进了海里。他奋力游到游客身边，从背后托住对方，让游客的头露出水"
        "面，再一点点往礁石方向游。海浪一次次把两人推向礁石，他用身体护住游客，自己的后背、胳"
        "膊被礁石划得鲜血直流。在同事们抛来救生圈和绳索的帮助下，两人终于被拉上了岸。\n"
        "落水游客经景区医务室急救后脱离危险，齐志远却因为伤口多处需要缝合，在医院打了好几天"
        "针。游客家属专程从外地赶来致谢，他笑着说：“这是我的工作，换了哪个同事都会跳。”\n"
        "在景区十五年，齐志远帮游客找回走失的孩子、归还遗失物品的事不计其数，仅登记在册的好人"
        "好事就有一百多件。他还主动向景区建议，在危险礁石区增设警示牌和防护栏，组织同事们学习"
        "水上救援和心肺复苏，被同事们称为景区的“守护神”。\n"
        "齐志远平时话不多，在景区却是出了名的热心肠。老龙头游客多，老人和孩子走失的情况时有发"
        "生，他总结出一套“找人办法”，按景区路线分片寻找，每次都能在较短时间内帮家属找到人。有"
        "一年夏天，一名游客将装有证件和现金的背包落在了澄海楼下，他捡到后在原地等了两个多小"
        "时，又通过景区广播找到了失主。失主要给他酬金，他婉言谢绝。他还利用业余时间考取了救生员"
        "证，每年夏天主动参加景区组织的海上救援演练，景区每一处救生圈、救生绳摆放的位置他都记"
        "得清清楚楚。同事们说，跟着齐哥值班，心里有底。\n"
        "秦皇岛日报记者在采访长城景区旅游安全时得知此事，经走访景区、被救游客和目击者，核实了"
        "救人经过，并在报纸上作了报道。报社认为齐志远不顾个人安危跳海救人，推荐其为“秦皇岛好"
        "人”见义勇为类候选人。"
    ),
)

TAO_CHUNSHENG = Nominee(
    name="陶春生",
    gender=Gender.male,
    born=date(1969, 12, 27),
    birthplace="130223",
    serial=16,
    place="lulong-lulong-01",
    phone="15833500116",
    address="永平社区永平大街88号",
    category=HonourCategory.honesty,
    summary="收粮二十年坚持足秤足价，粮价下跌时仍按约定价收购乡亲们的玉米",
    deeds=(
        "陶春生在卢龙县卢龙镇经营一家粮食收购站已有二十年，主要收购周边村庄的玉米和小麦，在当"
        "地小有名气。\n"
        "据了解，陶春生收粮坚持“足秤足价”，他的收购站门口立着一块公示牌，每天的收购价格、水分"
        "扣量标准都写得清清楚楚，农户可以自己过秤、自己看水分仪的读数。他常说：“庄稼人种一年地"
        "不容易，秤上差一斤，人心就差一截。”\n"
        "2021年秋天，玉米价格一路下跌，不少收购商压价收购，有的干脆不收了。陶春生此前和三十多"
        "户农民约定了收购价格，虽然只是口头约定，但他坚持按约定价收购，比市场价每斤高出一毛多"
        "钱，前后收了四十多万斤，仅差价就亏了四万多元。他说：“说好的价就得算数，不能让乡亲们吃"
        "亏。”\n"
        "他还常年帮助村里的困难户，对于孤寡老人和残疾人家庭的粮食，他亲自开车上门收购，还多给"
        "一些运费补贴。遇到农户急用钱，他先预付粮款，从不收利息。村里修路、学校添置桌椅，他也"
        "总是带头捐款。\n"
        "当地乡亲们说起陶春生，都说他“心眼实、秤杆直”。近年来，他还带动周边几家收购商统一使用"
        "经过检定的电子秤，公开收购标准，在当地形成了诚信收粮的风气。\n"
        "每年收粮季节，陶春生的收购站从早到晚排着长队，他总是让年纪大的农户先过秤，还在门口摆"
        "着开水和板凳。碰上下雨天，他把农户的粮食先收进库房避雨，等天晴再过秤结算。有的农户不"
        "识字，他就把结算单一项项念给对方听，确认无误再付款。近年来，他还尝试与几家大型饲料企"
        "业签订长期收购合同，帮助周边农户稳定了玉米的销路。他的收购站坚持收购价格公开、扣量标"
        "准公开、结算明细公开，每一笔收购都开具凭证。遇到农户的粮食水分偏高，他会建议先晾晒几"
        "天再来卖，不让乡亲们因为扣水分吃亏。他说：“宁可自己少赚点，也不能让人说粮站坑人。粮站"
        "能开二十年，靠的就是乡亲们的信任。”\n"
        "秦皇岛日报记者在采访秋粮收购时听到农户们称赞陶春生，经走访部分农户和当地粮食部门了解"
        "情况后作了报道。报社认为陶春生诚信经营、重诺守约，推荐其为“秦皇岛好人”诚实守信类候选"
        "人。"
    ),
)

# The same nominee as the office's email told of him, in the words of a former colleague.
TIAN_ZHIYONG_BY_EMAIL = (
    "您好，我叫吕建华，是田志勇在秦皇岛港务局时的老同事，在一个班组干了二十多年。听说今年在评“"
    "秦皇岛好人”，我想推荐他，特地写信说说他的事。\n"
    "田志勇在港口干的是装卸机械维修，技术过硬，人也实在，班组里谁有困难他都帮。那些年单位组织"
    "给困难职工捐款，他每次都捐得最多，自己却一直骑一辆旧自行车上下班。后来他母亲年纪大了，身"
    "体一年不如一年，他三番五次找领导，最后提前办了内退，回家专门照顾老人。当时好多人劝他，再"
    "干几年退休金能多不少，他说：“钱少点能过，妈就这一个。”\n"
    "这些年我常去看他，每次去，他家都收拾得干干净净，老太太穿得整整齐齐，气色很好，一点不像九"
    "十多岁的人。他给母亲做了一个本子，记着每天量的血压、吃的药，哪天老人胃口不好，他就琢磨着"
    "换个做法。老太太腿脚不行，他就天天背上背下，说老人不能总闷在屋里。我劝他装个楼道座椅电"
    "梯，他说等攒够了钱就装，这些年的积蓄大多花在了老人看病上。\n"
    "他对楼下的孤寡老人刘大爷也像亲爹一样，十年如一日送饭、陪着看病。有一次我和他约好一起吃"
    "饭，他临时打电话说刘大爷血压高，得陪着去医院，饭就改天吧。那天他在医院守到半夜，第二天一早"
    "又照常给母亲做饭。刘大爷逢人就说，这辈子没儿子，老了倒有了个好儿子。\n"
    "田志勇还是我们老同事群里的“热心肠”，谁家有事都找他商量，他也总是尽心尽力。去年一位老同事"
    "突发心梗，是他第一个赶到医院帮着联系家属、垫付押金。\n"
    "田志勇自己身体也不算好，有腰椎间盘突出，背老人上下楼时常常疼得直不起腰，他就在腰上绑一条"
    "护腰带继续背。我们几个老同事凑钱给他买了一台折叠轮椅，他高兴得像个孩子，第二天就推着老母"
    "亲去海边看了一圈。他常说，趁老人还在，能多陪一天是一天。逢年过节我们去看他，他总是先把刘"
    "大爷请上来，说人多热闹，老人高兴。他照顾两位老人这么多年，从没在我们面前抱怨过一句，反倒"
    "常常劝我们这些当儿女的，要多回家看看父母。\n"
    "我认识的田志勇，不会说漂亮话，就是踏踏实实对别人好。我觉得他完全配得上“好人”这个称号，恳"
    "请市文明办和社区核实推荐。如需了解情况，我和几位老同事都可以配合。"
)


@dataclass(frozen=True)
class Cast:
    """Who acts in the demo's pipeline."""

    office: User
    community: User
    street: User
    district: User
    editor: User
    reviewers: tuple[User, ...]
    nominator: User
    likers: tuple[User, ...]


@dataclass(frozen=True)
class Span:
    """A stretch of time; `at(f)` is the moment a fraction `f` of the way through it."""

    start: datetime
    end: datetime

    def at(self, fraction: float) -> datetime:
        return self.start + (self.end - self.start) * fraction

    def steps(self, first: float, last: float, count: int = 8) -> Iterator[datetime]:
        """`count` moments evenly from `first` to `last` of the way through."""
        for n in range(count):
            yield self.at(first + (last - first) * n / max(count - 1, 1))


# Accounts -------------------------------------------------------------------------------------


def _account(office: User, phone: str, name: str, kind: AssignmentKind | None, now, since):
    """The demo account, made the first time as if it had been there since `since`, holding
    `kind` from then on."""
    user = find_user_by_phone(phone)
    if user is None:
        user = ensure_account(phone, name, Role.volunteer)
        user.created_at = since
    if kind is not None and all(a.kind is not kind for a in assignments_of(user, now)):
        grant_assignment(office, user.id, kind, now=since)
    return user


def _verified(user: User, since: datetime) -> User:
    # As if they had signed in once with a code sent to their number.
    if user.phone_verified_at is None:
        user.phone_verified_at = since
    return user


def _cast(now: datetime) -> tuple[Cast, list[tuple[str, str, str]]]:
    since = now - ROLES_HELD_FOR
    office = find_user_by_phone(OFFICE[0])
    community, street, district = (find_user_by_phone(phone) for phone, *_ in CLERKS)
    editor = _account(office, *EDITOR, AssignmentKind.media_editor, now, since)
    reviewers = tuple(
        _account(office, phone, name, AssignmentKind.panel_reviewer, now, since)
        for phone, name in REVIEWERS
    )
    nominator = _verified(_account(office, *NOMINATOR, None, now, since), since)
    likers = tuple(_verified(find_user_by_phone(phone), since) for phone in LIKERS)
    accounts = [
        (AssignmentKind.media_editor.value, *EDITOR),
        *((AssignmentKind.panel_reviewer.value, phone, name) for phone, name in REVIEWERS),
        ("volunteer", *NOMINATOR),
    ]
    cast = Cast(office, community, street, district, editor, reviewers, nominator, likers)
    return cast, accounts


def _require_roles_held(cast: Cast, start: datetime, now: datetime) -> None:
    """Conflict unless the demo's clerks held their roles at `start`: a database loaded with
    an older demo gave them their roles on the day it was loaded."""
    for clerk in (cast.community, cast.street, cast.district):
        if not assignments_of(clerk, start):
            granted = min(a.granted_at for a in assignments_of(clerk, now))
            raise Conflict(
                _l(
                    "The demo's clerks hold their roles only since %(day)s, after the demo's "
                    "nominations begin (%(start)s): load the demo into a new database.",
                    day=local_day(granted).isoformat(),
                    start=local_day(start).isoformat(),
                ),
                code="demo_roles_too_late",
            )


# Files ----------------------------------------------------------------------------------------


def _photo(nominee: Nominee, serial: int) -> Incoming:
    return Incoming(Attachment.id_photo, avatar(nominee.name, serial), "证件照.png")


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def _signed_form(nominee: Nominee, agreed: bool) -> consent.Scan:
    """A drawn stand-in for the scan of the nominee's signed answer (同意书)."""
    image = Image.new("RGB", (360, 480), (252, 252, 248))
    draw = ImageDraw.Draw(image)
    draw.text((180, 60), "同意书", font=_font(36), fill=(20, 20, 20), anchor="mm")
    said = (
        ("本人同意将推荐材料用于公示、", "好人榜展示及媒体宣传。")
        if agreed
        else ("本人不同意公开推荐材料，", "感谢组织的关心。")
    )
    lines = (*said, "", f"签名：{nominee.name}")
    for row, line in enumerate(lines):
        draw.text((40, 140 + row * 40), line, font=_font(20), fill=(20, 20, 20))
    data = io.BytesIO()
    image.save(data, format="PNG")
    data.seek(0)
    return consent.Scan(data, "同意书.png")


# Moving nominations ---------------------------------------------------------------------------

# What each level writes when it forwards (stored as the clerks write them, not translated).
OPINIONS = {
    Stage.community: "经入户走访和邻里座谈，事迹属实，同意推荐。",
    Stage.street: "经街道核实，事迹真实，群众认可，同意上报。",
    Stage.district: "背景审查无异常，事迹突出，同意推荐至市文明办。",
    Stage.city: "经市文明办审核，材料齐全，事迹属实，同意提交评议。",
}


class Pipeline:
    """The demo's cast moving one round's nominations through the pipeline's services."""

    def __init__(self, cast: Cast, round_: Round):
        self.cast, self.round = cast, round_
        self.settings = current_settings()

    def values(self, nominee: Nominee, *, known: bool = True, **extra) -> dict:
        """What the nominator gives: a clerk or an editor knows the ID number and the phone;
        the public gives the name and the birth date."""
        return {
            "round_id": self.round.id,
            "nominee_name": nominee.name,
            "nominee_gender": nominee.gender,
            "nominee_birth_date": nominee.born,
            "nominee_phone": nominee.phone if known else None,
            "nominee_id_number": nominee.id_number if known else None,
            "region_id": get_region_by_code(nominee.place).id,
            "category": nominee.category,
            "summary": nominee.summary,
            "deeds": nominee.deeds,
            **extra,
        }

    def draft(self, nominee: Nominee, at: datetime, *, photo: Incoming | None = None):
        """The community clerk's draft."""
        nomination = channels.draft_nomination(
            self.cast.community, self.values(nominee, unit_name=COMMUNITY_UNIT), now=at
        )
        if photo is not None:
            channels.add_file(
                self.cast.community, nomination.id, photo, now=at, settings=self.settings.uploads
            )
        return nomination

    def from_form(self, nominee: Nominee, at: datetime, *, photo: Incoming | None = None):
        """The volunteer's nomination on the public form."""
        return channels.nominate(
            self.cast.nominator,
            self.values(nominee, known=False),
            now=at,
            incoming=[photo] if photo else [],
            settings=self.settings.uploads,
        )

    def lead(
        self, nominee: Nominee, source: LeadSource, caller: str, phone: str | None, at, **extra
    ):
        """A lead the office took by email or on its hotline, entered by the office."""
        values = self.values(
            nominee, known=False, lead_source=source, caller_name=caller, caller_phone=phone
        )
        return channels.enter_lead(self.cast.office, {**values, **extra}, now=at)

    def media(self, nominee: Nominee, discovery: MediaDiscovery, slug: str, at, *, photo=None):
        """The editor's media case, with the report's address."""
        url = f"https://www.qhdnews.com/news/{local_day(at):%Y%m%d}/{slug}.html"
        values = self.values(
            nominee,
            unit_name=NEWSPAPER,
            media_url=url,
            media_discovery=discovery,
            address=nominee.address,
        )
        return channels.file_media_nomination(
            self.cast.editor,
            values,
            now=at,
            incoming=[photo] if photo else [],
            settings=self.settings.uploads,
        )

    def reviewer(self, stage: Stage) -> User:
        return {
            Stage.community: self.cast.community,
            Stage.street: self.cast.street,
            Stage.district: self.cast.district,
        }.get(stage, self.cast.office)

    def checks(self, nomination: Nomination, at: datetime, answered=tuple(Agency)) -> None:
        """The level's requests to every agency, sent the day the nomination arrived; those of
        `answered` came back with nothing found."""
        clerk = self.reviewer(nomination.stage)
        sent_on, today = local_day(nomination.stage_entered_at), local_day(at)
        for agency in Agency:
            values = {"sent_on": sent_on, "answered_on": None, "result": None}
            if agency in answered:
                values.update(answered_on=today, result=CheckResult.clear)
            background.record_check(clerk, nomination.id, agency, values, now=at)

    def forward(self, nomination: Nomination, at: datetime) -> None:
        stage = nomination.stage
        review.review(
            self.reviewer(stage),
            nomination.id,
            review.ReviewAction.forward,
            opinion=OPINIONS[stage],
            checklist=review.CHECKLIST[stage],
            declared_no_conflict=True,
            now=at,
        )

    def consent(self, nomination: Nomination, nominee: Nominee, at, *, agreed: bool = True):
        """The nominee's answer on a signed form, recorded by their community's clerk (the
        office for a nominee elsewhere)."""
        clerk = self.cast.community if nominee.place == WENHUALI else self.cast.office
        consent.record_consent(
            clerk,
            nomination.id,
            {"agreed": agreed, "giver": "nominee", "method": "signed_form"},
            now=at,
            settings=self.settings,
            scan=_signed_form(nominee, agreed),
        )

    def climb(self, nomination: Nomination, nominee: Nominee, to: Stage, times) -> Nomination:
        """Take the nomination up, a step at each of `times`, until it stands at `to` (the
        panel at the furthest): matched to the register by the community clerk where it is
        not yet, the background checks answered at the district (or at the city for what
        comes without one), the nominee agreeing at the consent stage."""
        times = iter(times)
        while nomination.stage is not to:
            at, stage = next(times), nomination.stage
            if stage in (Stage.draft, Stage.community) and nomination.person_id is None:
                matching.match_nominee(
                    self.cast.community,
                    nomination.id,
                    now=at,
                    person_values={
                        "id_number": nominee.id_number,
                        "phone": nominee.phone,
                        "address": nominee.address,
                    },
                )
            if stage is Stage.draft:
                channels.submit_nomination(self.cast.community, nomination.id, now=at)
            elif stage is Stage.consent:
                self.consent(nomination, nominee, at)
            else:
                if stage in background.CHECK_STAGES and not background.checks_of(nomination):
                    self.checks(nomination, at)
                self.forward(nomination, at)
        return nomination

    def votes(self, nomination: Nomination, at: datetime, *ballots) -> None:
        """The panel reviewers' votes in turn, a few minutes apart: (vote, score, comment)."""
        for n, (reviewer, (vote, score, comment)) in enumerate(
            zip(self.cast.reviewers, ballots, strict=False)
        ):
            if vote is None:
                continue
            panel.cast_vote(
                reviewer,
                nomination.id,
                {"vote": vote, "score": score, "comment": comment},
                now=at + timedelta(minutes=7 * n),
            )


# Last month's round, all the way --------------------------------------------------------------

FOR = ("approve", 92, "事迹感人，群众基础好。")
FOR_AGAIN = ("approve", 88, None)
DISMISSED = (
    "听说石凤英的弟弟一直住在养老院，平时并不是她在照顾，请核实。",
    "经区文明办会同文化里社区入户走访核实：其弟弟2022年因骨折在康复机构住过三个月，其余时间一直"
    "由石凤英在家照料，邻居和康复机构均可证明。异议不成立，特此答复。",
)
UPHELD = (
    "陶春生的粮站前几年以他妻子的名义经营，2019年欠下我们村十几户的粮款，至今没有结清，和报道"
    "说的不一样。",
    "经市文明办会同卢龙县文明办走访核实，该粮站确有拖欠部分农户粮款的情况，与推荐事迹不符。异议"
    "成立，撤下该公示。",
)


def _last_month(cast: Cast, round_: Round, filed: Span, worked: Span, notice_at: datetime):
    """Four nominations (a community's, the volunteer's from the public form, two media cases)
    through every level and the panel (one reviewer declaring a conflict on one) to the
    notice; likes each day of it, an objection dismissed on one entry and one upheld on
    another, which comes off; then the committee's decision and the honours."""
    p = Pipeline(cast, round_)
    for reviewer in cast.reviewers:
        panel.assign_member(cast.office, round_.id, reviewer.id, now=filed.at(0))
    first = p.draft(SHI_FENGYING, filed.at(0.05), photo=_photo(SHI_FENGYING, 0))
    p.climb(first, SHI_FENGYING, Stage.panel, worked.steps(0.08, 0.8))
    lead = p.from_form(CHANG_DELIN, filed.at(0.1), photo=_photo(CHANG_DELIN, 1))
    p.climb(lead, CHANG_DELIN, Stage.panel, worked.steps(0.15, 0.82))
    rescue = p.media(
        QI_ZHIYUAN, MediaDiscovery.interview, "laolongtou", filed.at(0.2),
        photo=_photo(QI_ZHIYUAN, 2),
    )  # fmt: skip
    p.climb(rescue, QI_ZHIYUAN, Stage.panel, worked.steps(0.25, 0.84, 3))
    grain = p.media(
        TAO_CHUNSHENG, MediaDiscovery.editing, "shouliang", filed.at(0.3),
        photo=_photo(TAO_CHUNSHENG, 3),
    )  # fmt: skip
    p.climb(grain, TAO_CHUNSHENG, Stage.panel, worked.steps(0.35, 0.86, 3))
    review.declare_conflict(
        cast.reviewers[1], lead.id, "被推荐人常德林系本人丈夫的表兄。", now=worked.at(0.87)
    )
    entries = [first, lead, rescue, grain]
    for n, entry in enumerate(entries):
        ballots = (FOR, (None, None, None)) if entry is lead else (FOR, FOR_AGAIN)
        p.votes(entry, worked.at(0.9 + n * 0.01), *ballots)
        panel.close_review(cast.office, entry.id, now=worked.at(0.97))
    opened = notice.open_notice(cast.office, round_.id, [e.id for e in entries], now=notice_at)
    likers = (cast.nominator, *cast.likers)
    dismissed = upheld = None
    for day in range(round_.notice_days):
        morning = opened.opens_at + timedelta(days=day, hours=1)
        if day == 1:
            dismissed = notice.file_objection(
                cast.likers[3], first.id, DISMISSED[0], is_name_confirmed=True, now=morning
            )
        if day == 2:
            upheld = notice.file_objection(
                cast.likers[1], grain.id, UPHELD[0], is_name_confirmed=True, now=morning
            )
        if day == 3:
            notice.answer_objection(
                cast.district, dismissed.id, "dismissed", DISMISSED[1], now=morning
            )
        if day == 4:
            notice.answer_objection(cast.office, upheld.id, "upheld", UPHELD[1], now=morning)
        for n, liker in enumerate(likers):
            for m, entry in enumerate(entries):
                if entry.stage is Stage.notice and (n + m + day) % 3 == 0:
                    notice.like(liker, entry.id, now=morning + timedelta(minutes=13 * n + m))
    decided_at = opened.closes_at + timedelta(days=1)
    decided_on = local_day(decided_at)
    decision.record_decision(
        cast.office,
        round_.id,
        document_number=DOCUMENT.format(year=decided_on.year, n=20 + decided_on.month),
        decided_on=decided_on,
        now=decided_at,
        settings=current_settings().certificates,
    )
    if round_.status is RoundStatus.open:
        rounds.close_round(cast.office, round_.id, now=filed.end + timedelta(hours=15))


# This month's round, in progress --------------------------------------------------------------


def _this_month(cast: Cast, round_: Round, filed: Span, worked: Span) -> None:
    """Nominations standing at every stage: a draft; the community's nominations at the
    street, at the district with half its background checks answered, at the city and at
    the panel; one the nominee declined (archived); the volunteer's lead from the public form
    with a duplicate from the office's email merged into it, and a hotline lead, both at the
    community; media cases at the city with half their checks answered, at consent, at the
    panel with both votes in, and one sent down to the community for a local check."""
    p = Pipeline(cast, round_)
    for reviewer in cast.reviewers:
        panel.assign_member(cast.office, round_.id, reviewer.id, now=filed.at(0))
    # The declined one first: it took a place of the district's quota and freed it.
    declined = p.draft(JIA_SHUZHEN, filed.at(0.02))
    p.climb(declined, JIA_SHUZHEN, Stage.consent, worked.steps(0.03, 0.3, 5))
    p.consent(declined, JIA_SHUZHEN, worked.at(0.32), agreed=False)
    rescue = p.draft(YANG_FAN, filed.at(0.04))
    p.climb(rescue, YANG_FAN, Stage.panel, worked.steps(0.06, 0.6, 6))
    p.votes(rescue, worked.at(0.7), FOR)
    debts = p.draft(DENG_ZHIGANG, filed.at(0.08))
    p.climb(debts, DENG_ZHIGANG, Stage.city, worked.steps(0.1, 0.55, 4))
    classes = p.draft(SUN_YUFEN, filed.at(0.15))
    p.climb(classes, SUN_YUFEN, Stage.district, worked.steps(0.2, 0.5, 2))
    p.checks(classes, worked.at(0.6), answered=(Agency.police, Agency.discipline))
    bus = p.draft(HAN_LIJUN, filed.at(0.3))
    p.climb(bus, HAN_LIJUN, Stage.street, worked.steps(0.35, 0.45, 2))
    p.draft(MA_GUILAN, filed.at(0.5), photo=_photo(MA_GUILAN, 4))

    p.from_form(TIAN_ZHIYONG, filed.at(0.55))
    twin = p.lead(
        TIAN_ZHIYONG, LeadSource.email, "吕建华", None, filed.at(0.6), deeds=TIAN_ZHIYONG_BY_EMAIL
    )
    endings.merge_duplicate(
        cast.community, twin.id, now=worked.at(0.7), reason="同一被推荐人，来信与网上推荐合并办理。"
    )
    p.lead(HU_DESHUN, LeadSource.hotline, "赵淑华", "0335-3061234", filed.at(0.65))

    farmer = p.media(ZHENG_GUODONG, MediaDiscovery.editing, "huafei", filed.at(0.1))
    p.climb(farmer, ZHENG_GUODONG, Stage.panel, worked.steps(0.15, 0.5, 3))
    p.votes(farmer, worked.at(0.75), FOR, FOR_AGAIN)
    doctor = p.media(XU_WENJING, MediaDiscovery.interview, "cunyi", filed.at(0.2))
    p.climb(doctor, XU_WENJING, Stage.consent, worked.steps(0.3, 0.6, 2))
    sea = p.media(JIANG_HAIBO, MediaDiscovery.leader_attention, "lianliu", filed.at(0.25))
    p.checks(sea, worked.at(0.5), answered=(Agency.police, Agency.market))
    nurse = p.media(LUO_XIAOYAN, MediaDiscovery.interview, "jiatingbingchuang", filed.at(0.45))
    review.review(
        cast.office,
        nurse.id,
        review.ReviewAction.send_down,
        opinion="请文化里社区实地核实其上门服务的次数和服务对象。",
        now=worked.at(0.6),
    )


# Loading --------------------------------------------------------------------------------------


def load() -> list[tuple[str, str, str]]:
    """Create the demo accounts of the pipeline that are missing and, the first time, both
    rounds' nominations; return the accounts as (role, phone, name). Raises Conflict where
    the demo's clerks got their roles too late for last month's nominations."""
    now = utcnow()
    cast, accounts = _cast(now)
    if db.session.scalar(select(Nomination.id).where(Nomination.created_by_id == cast.editor.id)):
        return accounts
    this_first = local_day(now).replace(day=1)
    current = monthly_round(cast.office, now)
    previous = monthly_round(cast.office, local_moment(this_first - timedelta(days=1), time(12)))
    last_start = local_moment(previous.opens_on, time(8, 30))
    _require_roles_held(cast, last_start, now)
    # Last month's notice opened early this month, and closed in time for the decision.
    notice_at = min(
        local_moment(this_first + timedelta(days=2), time(9)),
        now - timedelta(days=previous.notice_days + 2),
    )
    _last_month(
        cast,
        previous,
        Span(last_start, local_moment(previous.closes_on, time(18))),
        Span(last_start, notice_at - timedelta(hours=2)),
        notice_at,
    )
    start = local_moment(this_first, time(8, 30))
    if start > now - timedelta(hours=1):
        start = local_moment(this_first)  # just after midnight on the first: from midnight
    closes = local_moment(current.closes_on + timedelta(days=1)) - timedelta(minutes=1)
    _this_month(cast, current, Span(start, min(now, closes)), Span(start, now))
    return accounts
