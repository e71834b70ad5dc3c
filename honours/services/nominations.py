"""Nominations through the three channels (推荐机制), up to the review levels:

- territorial (属地推荐): a community clerk drafts a nomination in their community (a sector's
  clerk for their sector), edits it while it is a draft, matches the nominee to the register
  and submits it: to the street (the community's own act), or to the city for a sector;
- media (媒体推荐): an editor files the case with the report's link and how it was found; it
  goes to the city at once, its nominee matched to the register (found there, or entered);
- self and public (自我推荐): anyone signed in with a verified phone nominates themselves or
  someone else; a clerk enters a lead received by the office's email or hotline. Either
  arrives at the nominee's community as a lead, which that community's clerk matches.

Each channel's nomination is flagged as it arrives (nomination_flags); matching, merging,
withdrawing, reading and who may do what live beside this module (nomination_matching,
nomination_endings, nomination_reading, nomination_access). Files are added and removed while
a nomination is a draft or has just arrived as a lead (nomination_files keeps them)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.regions import Region, RegionLevel, district_of, get_region, get_sector
from core.settings import UploadSettings
from core.uploads.models import Upload
from honours.models import Gender, HonourCategory, Round
from honours.nomination_models import (
    Channel,
    LeadSource,
    MediaDiscovery,
    Nomination,
    Nominator,
    NominatorKind,
    Stage,
    StepAction,
)
from honours.services import nomination_access as access
from honours.services import nomination_files as files
from honours.services import nomination_flags as flags
from honours.services import nomination_matching as matching
from honours.services import pipeline
from honours.services.persons import (
    PHONE,
    birth_date_of,
    gender_of,
    id_number_problem,
    normalize_id_number,
)
from honours.services.scope import scope_of

NAME_MAX = 64
UNIT_MAX = 120
SUMMARY_MAX = 140
DEEDS_MIN, DEEDS_MAX = 800, 1500
URL_MAX = 300
# The nominee's fields that say who the nominee is: changing one undoes the match.
IDENTITY = ("nominee_name", "nominee_birth_date", "nominee_id_number", "region_id")
LINE_BREAKS = re.compile(r"\r\n?")

PHONE_NOT_VERIFIED = _l(
    "Verify your mobile number first: sign in once with a code sent to it by SMS."
)


def trimmed(value: Any) -> str | None:
    """Text as it is kept: line breaks as one character each, trimmed; None for none."""
    if not isinstance(value, str):
        return None
    return LINE_BREAKS.sub("\n", value).strip() or None


def _member(enum_type, value):
    if value is None or value == "" or isinstance(value, enum_type):
        return value or None
    try:
        return enum_type(value)
    except ValueError:
        return False


def _checked(values: dict[str, Any], today: date, *, media: bool = False) -> dict[str, Any]:
    """The nomination's own fields from `values`, checked and trimmed (lengths counted in
    characters, a line break as one), or ValidationFailed naming every field that is wrong."""
    errors: dict[str, list[str]] = {}

    def wrong(field: str, message) -> None:
        errors.setdefault(field, []).append(str(message))

    clean: dict[str, Any] = {}
    name = trimmed(values.get("nominee_name"))
    if not name:
        wrong("nominee_name", _l("Enter the nominee's name."))
    elif len(name) > NAME_MAX:
        wrong("nominee_name", _l("Enter at most %(n)d characters.", n=NAME_MAX))
    clean["nominee_name"] = name
    gender = _member(Gender, values.get("nominee_gender"))
    if gender is False:
        wrong("nominee_gender", _l("Choose male or female."))
    birth = values.get("nominee_birth_date")
    if birth is not None and not isinstance(birth, date):
        wrong("nominee_birth_date", _l("Give a date."))
        birth = None
    elif birth is not None and birth > today:
        wrong("nominee_birth_date", _l("The birth date cannot be in the future."))
    phone = trimmed(values.get("nominee_phone"))
    if phone and not PHONE.match(phone):
        wrong("nominee_phone", _l("Enter a phone number of digits (a hyphen may separate them)."))
    number = normalize_id_number(trimmed(values.get("nominee_id_number")))
    if number:
        problem = id_number_problem(number)
        if problem:
            wrong("nominee_id_number", problem)
        else:
            written = birth_date_of(number)
            if birth is None:
                birth = written
            elif birth != written:
                wrong("nominee_birth_date", _l("The birth date differs from the ID number's."))
            gender = gender or gender_of(number)
    clean.update(
        nominee_gender=gender or None,
        nominee_birth_date=birth,
        nominee_phone=phone,
        nominee_id_number=number,
        nominee_is_deceased=bool(values.get("nominee_is_deceased")),
    )
    category = _member(HonourCategory, values.get("category"))
    if not category:
        wrong("category", _l("Choose the category of the deeds."))
    clean["category"] = category or None
    summary = trimmed(values.get("summary"))
    if not summary:
        wrong("summary", _l("Sum the deeds up in one sentence."))
    elif len(summary) > SUMMARY_MAX:
        wrong(
            "summary",
            _l(
                "At most %(n)d characters; this has %(count)d.",
                n=SUMMARY_MAX,
                count=len(summary),
            ),
        )
    clean["summary"] = summary
    deeds = trimmed(values.get("deeds")) or ""
    if not DEEDS_MIN <= len(deeds) <= DEEDS_MAX:
        wrong(
            "deeds",
            _l(
                "Tell the deeds in %(low)d to %(high)d characters; this has %(count)d.",
                low=DEEDS_MIN,
                high=DEEDS_MAX,
                count=len(deeds),
            ),
        )
    clean["deeds"] = deeds
    unit = trimmed(values.get("unit_name"))
    if unit and len(unit) > UNIT_MAX:
        wrong("unit_name", _l("Enter at most %(n)d characters.", n=UNIT_MAX))
    clean["unit_name"] = unit
    if media:
        url = trimmed(values.get("media_url"))
        if not url:
            wrong("media_url", _l("Give the link to the report."))
        elif len(url) > URL_MAX or not _is_web_address(url):
            wrong(
                "media_url", _l("Give the report's web address, starting with http:// or https://.")
            )
        discovery = _member(MediaDiscovery, values.get("media_discovery"))
        if not discovery:
            wrong("media_discovery", _l("Say how the case was found."))
        clean.update(media_url=url, media_discovery=discovery or None)
    if errors:
        raise ValidationFailed(errors=errors)
    return clean


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url
    except ValueError:  # an address urlsplit cannot read, such as an unclosed [IPv6]
        return False


def _region(region_id: Any, *, community: bool) -> Region:
    """The nominee's region: a community or village where `community`, else any place below
    the city. Raises ValidationFailed under `region_id`."""
    region = get_region(region_id if isinstance(region_id, int) else None)
    if community and region.level is not RegionLevel.community:
        message = _l("Choose the nominee's community or village.")
        raise ValidationFailed(message, errors={"region_id": [str(message)]})
    if region.level is RegionLevel.city:
        message = _l("Choose the district, street or community.")
        raise ValidationFailed(message, errors={"region_id": [str(message)]})
    return region


def _new(
    user: User,
    round_: Round,
    clean: dict[str, Any],
    region: Region,
    channel: Channel,
    now: datetime,
    **extra: Any,
) -> Nomination:
    nomination = Nomination(
        round_id=round_.id,
        channel=channel,
        stage=Stage.draft,
        stage_entered_at=now,
        region_id=region.id,
        district_id=district_of(region).id,
        created_at=now,
        created_by_id=user.id,
        updated_at=now,
        **clean,
        **extra,
    )
    nomination.nominee_key = flags.key_of(nomination)
    db.session.add(nomination)
    db.session.flush()
    return nomination


def _nominator(
    nomination: Nomination,
    kind: NominatorKind,
    name: str,
    now: datetime,
    *,
    user_id: int | None = None,
    phone: str | None = None,
) -> Nominator:
    nominator = Nominator(
        nomination_id=nomination.id,
        from_nomination_id=nomination.id,
        kind=kind,
        user_id=user_id,
        name=name[:UNIT_MAX],
        contact_phone=phone,
        added_at=now,
    )
    db.session.add(nominator)
    db.session.flush()
    return nominator


def _attach_all(
    user: User,
    nomination: Nomination,
    incoming: list[files.Incoming],
    now: datetime,
    settings: UploadSettings | None,
) -> None:
    for each in incoming:
        if settings is None:
            raise ValueError("files need the upload settings")
        files.attach(
            user, nomination, each, now=now, settings=settings, field=each.attachment.value
        )


def add_file(
    user: User,
    nomination_id: int,
    incoming: files.Incoming,
    *,
    now: datetime,
    settings: UploadSettings,
) -> Upload:
    """Add a file to a nomination while it is a draft (its drafter, a clerk of its community
    or sector, the city) or has just arrived as a lead or media case (who filed it, the clerk
    at that level, the city): an ID photo or sealed form replaces the one there; life photos
    up to 5, evidence up to 20. Raises NotFound, Conflict (too late), Forbidden,
    ValidationFailed (the 6th life photo, a file of the wrong type or too large)."""
    nomination = pipeline.get_nomination(access.readable(user, nomination_id, now).id, lock=True)
    _require_files_open(user, nomination, now)
    return files.attach(user, nomination, incoming, now=now, settings=settings)


def remove_file(user: User, nomination_id: int, upload_key: str, *, now: datetime) -> Nomination:
    """Take a file off a nomination, when and by whom one may be added. Raises NotFound (no
    such nomination, or no such file of it), Conflict, Forbidden."""
    nomination = pipeline.get_nomination(access.readable(user, nomination_id, now).id, lock=True)
    _require_files_open(user, nomination, now)
    files.detach(nomination, upload_key, now=now)
    return nomination


def _require_files_open(user: User, nomination: Nomination, now: datetime) -> None:
    if nomination.stage is not Stage.draft and not access.has_just_arrived(nomination):
        raise Conflict(
            _l(
                "Files are added and removed while the nomination is a draft, or a lead no one "
                "has acted on yet."
            ),
            code="stage",
        )
    if not access.may_change_files(user, nomination, now):
        raise Forbidden(_l("Only who filed the nomination, or a clerk handling it, may."))


def draft_nomination(user: User, values: dict[str, Any], *, now: datetime) -> Nomination:
    """Draft a territorial nomination (属地推荐) in an open round within its dates: a
    community's clerk for a nominee of their community, a sector's clerk for their sector
    (`sector_id`; the nominee of any place below the city), or the city. The draft is matched
    to the register and submitted later. A second live nomination of the nominee in the round
    is flagged.

    Raises ValidationFailed (a field, the round), Conflict (the round not taking nominations),
    Forbidden (a community or sector not the user's)."""
    round_ = access.accepting_round(values.get("round_id"), now)
    clean = _checked(values, local_day(now))
    sector = get_sector(values["sector_id"]) if values.get("sector_id") else None
    region = _region(values.get("region_id"), community=sector is None)
    if not access.may_draft_at(user, region, sector.id if sector else None, now):
        message = (
            _l("Only a clerk of this sector, or the city, drafts its nominations.")
            if sector
            else _l("Only a clerk of this community, or the city, drafts its nominations.")
        )
        raise Forbidden(message)
    nomination = _new(
        user,
        round_,
        clean,
        region,
        Channel.territorial,
        now,
        sector_id=sector.id if sector else None,
    )
    unit = clean["unit_name"] or (sector.name if sector else region.name)
    _nominator(nomination, NominatorKind.unit, unit, now, user_id=user.id)
    flags.flag_duplicate(nomination)
    return nomination


def file_media_nomination(
    user: User,
    values: dict[str, Any],
    *,
    now: datetime,
    incoming: list[files.Incoming] | None = None,
    settings: UploadSettings | None = None,
) -> Nomination:
    """File a media nomination (媒体推荐): an editor holding the media editor's role gives the
    report's link (http or https) and how the case was found, and the nominee of any place
    below the city. It goes to the city at once, its nominee matched to the register: the
    record of the same ID number, or of the same name, birth date and region, or else a new
    record entered from what the editor gave (with `died_on` for a posthumous case, a guardian
    for a minor). Files sent with it are attached. Flags as any nomination.

    Raises ValidationFailed, Conflict (round; the register's duplicate), Forbidden (no
    editor)."""
    if not access.is_media_editor(user, now):
        raise Forbidden(_l("Media nominations are filed by the media's editors."))
    round_ = access.accepting_round(values.get("round_id"), now)
    clean = _checked(values, local_day(now), media=True)
    region = _region(values.get("region_id"), community=False)
    nomination = _new(user, round_, clean, region, Channel.media, now)
    name = clean["unit_name"] or user.display_name or str(_l("A media editor"))
    _nominator(nomination, NominatorKind.media, name, now, user_id=user.id)
    person = matching.found_or_entered(user, nomination, values, now)
    matching.apply_match(nomination, person)
    flags.flag_duplicate(nomination)
    flags.flag_held(nomination, round_)
    _attach_all(user, nomination, incoming or [], now, settings)
    pipeline.record_step(nomination, StepAction.submitted, Stage.city, user, now=now)
    return nomination


def nominate(
    user: User,
    values: dict[str, Any],
    *,
    now: datetime,
    incoming: list[files.Incoming] | None = None,
    settings: UploadSettings | None = None,
) -> Nomination:
    """Nominate oneself (`is_self`) or someone else through the public form (自我推荐): any
    account whose mobile number is verified, for a nominee of a community or village, in an
    open round within its dates. It arrives at that community as a lead, with the files sent
    with it. Flags as any nomination.

    Raises Forbidden (the phone not verified), ValidationFailed, Conflict (the round)."""
    if user.phone_verified_at is None:
        raise Forbidden(PHONE_NOT_VERIFIED, code="phone_not_verified")
    round_ = access.accepting_round(values.get("round_id"), now)
    clean = _checked(values, local_day(now))
    region = _region(values.get("region_id"), community=True)
    nomination = _new(user, round_, clean, region, Channel.public, now, lead_source=LeadSource.form)
    kind = NominatorKind.self if values.get("is_self") else NominatorKind.public
    _nominator(
        nomination, kind, user.display_name or user.phone, now, user_id=user.id, phone=user.phone
    )
    flags.flag_duplicate(nomination)
    _attach_all(user, nomination, incoming or [], now, settings)
    pipeline.record_step(nomination, StepAction.submitted, Stage.community, user, now=now)
    return nomination


def enter_lead(user: User, values: dict[str, Any], *, now: datetime) -> Nomination:
    """Enter a lead the office received by email or on its hotline (`lead_source`), with the
    caller's name and phone (`caller_name`, `caller_phone`; `is_self` when they nominate
    themselves): a clerk of the nominee's region, or the city. It arrives at the nominee's
    community as a lead, the caller kept as a nominator without an account.

    Raises ValidationFailed, Conflict (the round), Forbidden (not a clerk there)."""
    scope = scope_of(user, now)
    if not scope.is_clerk:
        raise Forbidden(_l("Leads are entered by a clerk of the nominee's region or the city."))
    round_ = access.accepting_round(values.get("round_id"), now)
    errors: dict[str, list[str]] = {}
    try:
        clean = _checked(values, local_day(now))
    except ValidationFailed as error:
        errors, clean = dict(error.errors), {}
    source = _member(LeadSource, values.get("lead_source"))
    if source not in (LeadSource.email, LeadSource.hotline):
        errors["lead_source"] = [str(_l("Say whether it came by email or on the hotline."))]
    caller = trimmed(values.get("caller_name"))
    if not caller:
        errors["caller_name"] = [str(_l("Enter the name of who sent it."))]
    elif len(caller) > UNIT_MAX:
        errors["caller_name"] = [str(_l("Enter at most %(n)d characters.", n=UNIT_MAX))]
    phone = trimmed(values.get("caller_phone"))
    if phone and not PHONE.match(phone):
        errors["caller_phone"] = [
            str(_l("Enter a phone number of digits (a hyphen may separate them)."))
        ]
    if errors:
        raise ValidationFailed(errors=errors)
    region = _region(values.get("region_id"), community=True)
    if not scope.acts_in(region.id):
        raise Forbidden(_l("This community is outside the region you are a clerk of."))
    nomination = _new(user, round_, clean, region, Channel.public, now, lead_source=source)
    kind = NominatorKind.self if values.get("is_self") else NominatorKind.public
    _nominator(nomination, kind, caller, now, phone=phone)
    flags.flag_duplicate(nomination)
    pipeline.record_step(nomination, StepAction.submitted, Stage.community, user, now=now)
    return nomination


# The fields of a draft that may change.
EDITABLE = (
    "nominee_name",
    "nominee_gender",
    "nominee_birth_date",
    "nominee_phone",
    "nominee_id_number",
    "nominee_is_deceased",
    "category",
    "summary",
    "deeds",
    "unit_name",
    "media_url",
    "media_discovery",
)


def update_draft(
    user: User, nomination_id: int, values: dict[str, Any], *, now: datetime
) -> Nomination:
    """Change a draft's fields (those given in `values`; `region_id` too, within where the
    user drafts): its drafter, a clerk of its community or sector, the city. A change of who
    the nominee is (name, birth date, ID number, region) undoes the match to the register;
    the duplicate flag is looked at again.

    Raises NotFound, Conflict (no longer a draft), Forbidden, ValidationFailed."""
    round_, nomination = access.for_change(user, nomination_id, now)
    pipeline.require_stage(nomination, Stage.draft)
    if not access.may_edit_draft(user, nomination, now):
        raise Forbidden(access.NOT_OURS)
    current = {field: getattr(nomination, field) for field in (*EDITABLE, "region_id")}
    given = {key: value for key, value in values.items() if key in current}
    merged = {**current, **given}
    clean = _checked(merged, local_day(now), media=nomination.channel is Channel.media)
    region = nomination.region
    if merged["region_id"] != nomination.region_id:
        community = nomination.channel is Channel.public or (
            nomination.channel is Channel.territorial and nomination.sector_id is None
        )
        region = _region(merged["region_id"], community=community)
        if nomination.channel is Channel.territorial and not access.may_draft_at(
            user, region, nomination.sector_id, now
        ):
            raise Forbidden(_l("This community is outside the region you are a clerk of."))
    changed_identity = any(
        (clean.get(field) if field != "region_id" else region.id) != current[field]
        for field in IDENTITY
    )
    for field, value in clean.items():
        setattr(nomination, field, value)
    nomination.region_id = region.id
    nomination.district_id = district_of(region).id
    if changed_identity and nomination.person_id is not None:
        nomination.person_id = None
        nomination.held_honour_id = None
    nomination.nominee_key = flags.key_of(nomination)
    nomination.updated_at = now
    db.session.flush()
    flags.flag_duplicate(nomination)
    flags.flag_held(nomination, round_)
    return nomination


def submit_nomination(user: User, nomination_id: int, *, now: datetime) -> Nomination:
    """Submit a draft (报送): the community's own act takes it to the street; a sector's goes
    to the city. Its nominee must be matched to the register. A first submission must fall
    within the round's dates; one returned to its drafter goes again while the round is open.

    Raises NotFound, Conflict (not a draft, not matched, the round), Forbidden."""
    round_, nomination = access.for_change(user, nomination_id, now)
    pipeline.require_stage(nomination, Stage.draft)
    if not access.may_edit_draft(user, nomination, now):
        raise Forbidden(access.NOT_OURS)
    access.require_accepting(round_, now, dates=not access.was_submitted(nomination))
    if nomination.person_id is None:
        raise Conflict(
            _l("Match the nominee to the register before submitting."), code="not_matched"
        )
    to = (
        Stage.street
        if nomination.channel is Channel.territorial and nomination.sector_id is None
        else Stage.city
    )
    pipeline.record_step(nomination, StepAction.submitted, to, user, now=now)
    return nomination
