"""Facts of the Home Credit domain that several modules share (one definition each)."""

APPLICANT_KEY = "SK_ID_CURR"  # the applicant's id, in every Kaggle file
TARGET = "TARGET"  # 1: the applicant defaulted (payment difficulties), 0: repaid
DAYS_PER_YEAR = 365.25  # to turn the files' day offsets into years
NO_DATE = 365_243  # the files' "no date" day offset (DAYS_EMPLOYED of pensioners, open-ended DAYS_LAST_DUE, ...)
