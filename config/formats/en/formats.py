# English pages keep the day-first dates of the Vietnamese records; only number separators differ.
from config.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
