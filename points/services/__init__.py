"""Points rules, one module per concept; the package offers every public name callers use."""

# Tests read the role through this package.
from core.auth.models import Role
from points.services.codes import CodeInvalid, CodeLookup, issue_redeem_code, look_up_code
from points.services.earning import adjust, settle_attendance
from points.services.ledger import (
    MAX_ADJUSTMENT,
    HistoryLine,
    InsufficientBalance,
    LedgerCheck,
    Posting,
    balance_of,
    find_entry,
    history,
    merchant_account,
    post,
    system_account,
    verify_ledger,
    volunteer_account,
)
from points.services.merchants import (
    add_item,
    add_staff,
    get_merchant,
    list_merchants,
    list_staff,
    managed_merchant,
    register_merchant,
    staff_merchant,
    update_item,
)
from points.services.redemptions import (
    SoldOut,
    can_reverse,
    find_redemption,
    get_redemption,
    redeem,
    reverse_redemption,
)
from points.services.statements import Statement, merchant_statement, statement_csv

__all__ = [
    "MAX_ADJUSTMENT",
    "CodeInvalid",
    "CodeLookup",
    "HistoryLine",
    "InsufficientBalance",
    "LedgerCheck",
    "Posting",
    "Role",
    "SoldOut",
    "Statement",
    "add_item",
    "add_staff",
    "adjust",
    "balance_of",
    "can_reverse",
    "find_entry",
    "find_redemption",
    "get_merchant",
    "get_redemption",
    "history",
    "issue_redeem_code",
    "list_merchants",
    "list_staff",
    "look_up_code",
    "managed_merchant",
    "merchant_account",
    "merchant_statement",
    "post",
    "redeem",
    "register_merchant",
    "reverse_redemption",
    "settle_attendance",
    "staff_merchant",
    "statement_csv",
    "system_account",
    "update_item",
    "verify_ledger",
    "volunteer_account",
]
