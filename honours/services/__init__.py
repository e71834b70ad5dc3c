"""The register's rules, by concept: who acts where (scope), persons, duplicates and merging,
honours, honour types, and privacy (masking and the log of whole views)."""

from honours.services.card_codes import card_from_code, card_from_number, highest_level
from honours.services.duplicates import find_duplicates, merge_persons, require_no_duplicate
from honours.services.honours import (
    HONOUR_FIELDS,
    RegisterFilter,
    award_honour,
    correct_honour,
    get_honour,
    list_honour_history,
    list_register,
    register_query,
    team_choices,
)
from honours.services.partner_staff import partners_of, staff_partner
from honours.services.persons import (
    PersonFilter,
    birth_date_of,
    correct_person,
    enter_person,
    id_number_problem,
    list_person_history,
    list_persons,
    normalize_id_number,
    record_consent,
)
from honours.services.photos import set_person_photo
from honours.services.pipeline import get_nomination, readable_nomination
from honours.services.privacy import (
    Sensitive,
    list_sensitive_views,
    log_whole_views,
    mask_address,
    mask_hardship,
    mask_id_number,
    mask_phone,
    masked_value,
    sensitive_of,
    show_history,
    show_person,
    shown_changes,
)
from honours.services.publication import PHOTO_KIND
from honours.services.records import FIELDS, get_person
from honours.services.scope import Scope, scope_of
from honours.services.types import (
    STANDARD_TYPES,
    ensure_honour_types,
    find_honour_type_by_code,
    get_honour_type,
    list_honour_types,
)

__all__ = [
    "FIELDS",
    "HONOUR_FIELDS",
    "PHOTO_KIND",
    "STANDARD_TYPES",
    "PersonFilter",
    "RegisterFilter",
    "Scope",
    "Sensitive",
    "award_honour",
    "birth_date_of",
    "card_from_code",
    "card_from_number",
    "correct_honour",
    "correct_person",
    "ensure_honour_types",
    "enter_person",
    "find_duplicates",
    "find_honour_type_by_code",
    "get_honour",
    "get_honour_type",
    "get_nomination",
    "get_person",
    "highest_level",
    "id_number_problem",
    "list_honour_history",
    "list_honour_types",
    "list_person_history",
    "list_persons",
    "list_register",
    "list_sensitive_views",
    "log_whole_views",
    "mask_address",
    "mask_hardship",
    "mask_id_number",
    "mask_phone",
    "masked_value",
    "merge_persons",
    "normalize_id_number",
    "partners_of",
    "readable_nomination",
    "record_consent",
    "register_query",
    "require_no_duplicate",
    "scope_of",
    "sensitive_of",
    "set_person_photo",
    "show_history",
    "show_person",
    "shown_changes",
    "staff_partner",
    "team_choices",
]
