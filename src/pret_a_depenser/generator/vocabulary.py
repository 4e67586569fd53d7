"""Category vocabularies and their frequencies in the real Home Credit tables.

Frequencies are the public marginal shares of the Kaggle files (rounded); rare values are kept
because downstream code must cope with them (``XNA`` genders, ``Unknown`` family status, ...).
"""

from __future__ import annotations

Vocabulary = dict[str, float]

NAME_CONTRACT_TYPE: Vocabulary = {"Cash loans": 0.905, "Revolving loans": 0.095}
CODE_GENDER: Vocabulary = {"F": 0.65832, "M": 0.34167, "XNA": 0.00001}
NAME_TYPE_SUITE: Vocabulary = {
    "Unaccompanied": 0.8115,
    "Family": 0.1311,
    "Spouse, partner": 0.0372,
    "Children": 0.0107,
    "Other_B": 0.0059,
    "Other_A": 0.0028,
    "Group of people": 0.0008,
}
NAME_INCOME_TYPE_ACTIVE: Vocabulary = {
    "Working": 0.6296,
    "Commercial associate": 0.2840,
    "State servant": 0.0861,
    "Student": 0.00022,
    "Businessman": 0.00012,
    "Maternity leave": 0.00006,
}
NAME_EDUCATION_TYPE: Vocabulary = {
    "Secondary / secondary special": 0.7102,
    "Higher education": 0.2434,
    "Incomplete higher": 0.0334,
    "Lower secondary": 0.0124,
    "Academic degree": 0.0006,
}
NAME_FAMILY_STATUS: Vocabulary = {
    "Married": 0.6388,
    "Single / not married": 0.1478,
    "Civil marriage": 0.0968,
    "Separated": 0.0643,
    "Widow": 0.05229,
    "Unknown": 0.00001,
}
NAME_HOUSING_TYPE: Vocabulary = {
    "House / apartment": 0.8873,
    "With parents": 0.0483,
    "Municipal apartment": 0.0364,
    "Rented apartment": 0.0159,
    "Office apartment": 0.0085,
    "Co-op apartment": 0.0036,
}
OCCUPATION_TYPE: Vocabulary = {
    "Laborers": 0.2608,
    "Sales staff": 0.1520,
    "Core staff": 0.1306,
    "Managers": 0.1010,
    "Drivers": 0.0881,
    "High skill tech staff": 0.0539,
    "Accountants": 0.0466,
    "Medicine staff": 0.0405,
    "Security staff": 0.0318,
    "Cooking staff": 0.0281,
    "Cleaning staff": 0.0220,
    "Private service staff": 0.0126,
    "Low-skill Laborers": 0.0099,
    "Waiters/barmen staff": 0.0064,
    "Secretaries": 0.0062,
    "Realty agents": 0.0035,
    "HR staff": 0.0027,
    "IT staff": 0.0025,
}
WEEKDAY: Vocabulary = {
    "TUESDAY": 0.1753,
    "WEDNESDAY": 0.1689,
    "MONDAY": 0.1649,
    "THURSDAY": 0.1643,
    "FRIDAY": 0.1637,
    "SATURDAY": 0.1101,
    "SUNDAY": 0.0528,
}
ORGANIZATION_TYPE_EMPLOYED: Vocabulary = {
    "Business Entity Type 3": 0.2701,
    "Self-employed": 0.1530,
    "Other": 0.0664,
    "Medicine": 0.0445,
    "Business Entity Type 2": 0.0419,
    "Government": 0.0414,
    "School": 0.0353,
    "Trade: type 7": 0.0311,
    "Kindergarten": 0.0273,
    "Construction": 0.0268,
    "Business Entity Type 1": 0.0237,
    "Transport: type 4": 0.0214,
    "Trade: type 3": 0.0139,
    "Industry: type 9": 0.0133,
    "Industry: type 3": 0.0130,
    "Security": 0.0129,
    "Housing": 0.0118,
    "Industry: type 11": 0.0107,
    "Military": 0.0105,
    "Bank": 0.0099,
    "Agriculture": 0.0097,
    "Police": 0.0093,
    "Transport: type 2": 0.0088,
    "Postal": 0.0086,
    "Security Ministries": 0.0078,
    "Trade: type 2": 0.0075,
    "Restaurant": 0.0072,
    "Services": 0.0063,
    "University": 0.0053,
    "Industry: type 7": 0.0052,
    "Transport: type 3": 0.0047,
    "Industry: type 1": 0.0041,
    "Hotel": 0.0038,
    "Electricity": 0.0038,
    "Industry: type 4": 0.0035,
    "Trade: type 6": 0.0025,
    "Industry: type 5": 0.0024,
    "Insurance": 0.0024,
    "Telecom": 0.0023,
    "Emergency": 0.0022,
    "Industry: type 2": 0.0018,
    "Advertising": 0.0017,
    "Realtor": 0.0016,
    "Culture": 0.0015,
    "Industry: type 12": 0.0015,
    "Trade: type 1": 0.0014,
    "Mobile": 0.0013,
    "Legal Services": 0.0012,
    "Cleaning": 0.0010,
    "Transport: type 1": 0.0008,
    "Industry: type 6": 0.0004,
    "Industry: type 10": 0.0004,
    "Religion": 0.0003,
    "Industry: type 13": 0.0003,
    "Trade: type 4": 0.0003,
    "Trade: type 5": 0.0002,
    "Industry: type 8": 0.0001,
}
FONDKAPREMONT_MODE: Vocabulary = {
    "reg oper account": 0.763,
    "reg oper spec account": 0.123,
    "not specified": 0.058,
    "org spec account": 0.056,
}
HOUSETYPE_MODE: Vocabulary = {"block of flats": 0.982, "specific housing": 0.010, "terraced house": 0.008}
WALLSMATERIAL_MODE: Vocabulary = {
    "Panel": 0.438,
    "Stone, brick": 0.427,
    "Block": 0.061,
    "Wooden": 0.035,
    "Mixed": 0.015,
    "Monolithic": 0.012,
    "Others": 0.012,
}
EMERGENCYSTATE_MODE: Vocabulary = {"No": 0.986, "Yes": 0.014}

# bureau.csv
CREDIT_CURRENCY: Vocabulary = {"currency 1": 0.99918, "currency 2": 0.00072, "currency 3": 0.00009, "currency 4": 0.00001}
CREDIT_TYPE: Vocabulary = {
    "Consumer credit": 0.7292,
    "Credit card": 0.2344,
    "Car loan": 0.0161,
    "Mortgage": 0.0107,
    "Microloan": 0.0072,
    "Loan for business development": 0.0012,
    "Another type of loan": 0.0006,
    "Unknown type of loan": 0.0003,
    "Loan for working capital replenishment": 0.0003,
    "Cash loan (non-earmarked)": 0.00003,
    "Real estate loan": 0.00002,
    "Loan for the purchase of equipment": 0.00001,
    "Loan for purchase of shares (margin lending)": 0.000003,
    "Mobile operator loan": 0.000001,
    "Interbank credit": 0.000001,
}

# previous_application.csv
PREV_NAME_CASH_LOAN_PURPOSE_CASH: Vocabulary = {
    "XNA": 0.889,
    "Repairs": 0.0312,
    "Other": 0.0205,
    "Urgent needs": 0.0115,
    "Buying a used car": 0.0040,
    "Building a house or an annex": 0.0035,
    "Everyday expenses": 0.0032,
    "Medicine": 0.0030,
    "Payments on other loans": 0.0026,
    "Education": 0.0021,
    "Journey": 0.0016,
    "Purchase of electronic equipment": 0.0015,
    "Buying a new car": 0.0014,
    "Wedding / gift / holiday": 0.0013,
    "Buying a home": 0.0012,
    "Car repairs": 0.0011,
    "Furniture": 0.0010,
    "Buying a holiday home / land": 0.0007,
    "Business development": 0.0006,
    "Gasification / water supply": 0.0004,
    "Buying a garage": 0.0002,
    "Hobby": 0.0001,
    "Money for a third person": 0.0001,
    "Refusal to name the goal": 0.0001,
}
PREV_NAME_PAYMENT_TYPE: Vocabulary = {
    "Cash through the bank": 0.619,
    "XNA": 0.376,
    "Non-cash from your account": 0.0049,
    "Cashless from the account of the employer": 0.0006,
}
PREV_REJECT_REASON_REFUSED: Vocabulary = {
    "HC": 0.603,
    "LIMIT": 0.193,
    "SCO": 0.129,
    "SCOFR": 0.044,
    "XNA": 0.018,
    "VERIF": 0.012,
    "SYSTEM": 0.001,
}
PREV_NAME_CLIENT_TYPE: Vocabulary = {"Repeater": 0.737, "New": 0.180, "Refreshed": 0.081, "XNA": 0.002}
PREV_NAME_GOODS_CATEGORY_POS: Vocabulary = {
    "Mobile": 0.314,
    "Consumer Electronics": 0.170,
    "Computers": 0.148,
    "Audio/Video": 0.139,
    "Furniture": 0.075,
    "Photo / Cinema Equipment": 0.035,
    "Construction Materials": 0.035,
    "Clothing and Accessories": 0.033,
    "Auto Accessories": 0.010,
    "Jewelry": 0.009,
    "Homewares": 0.007,
    "Medical Supplies": 0.005,
    "Vehicles": 0.004,
    "Sport and Leisure": 0.004,
    "Gardening": 0.004,
    "Other": 0.004,
    "Office Appliances": 0.003,
    "Tourism": 0.002,
    "Medicine": 0.002,
    "Direct Sales": 0.001,
    "Fitness": 0.0005,
    "Additional Service": 0.0003,
    "Education": 0.0003,
    "Weapon": 0.0002,
    "Insurance": 0.0001,
    "House Construction": 0.00001,
    "Animals": 0.00001,
}
PREV_CHANNEL_TYPE: Vocabulary = {
    "Credit and cash offices": 0.431,
    "Country-wide": 0.296,
    "Stone": 0.127,
    "Regional / Local": 0.065,
    "Contact center": 0.043,
    "AP+ (Cash loan)": 0.034,
    "Channel of corporate sales": 0.004,
    "Car dealer": 0.0003,
}
PREV_NAME_SELLER_INDUSTRY_POS: Vocabulary = {
    "Consumer electronics": 0.490,
    "Connectivity": 0.338,
    "Furniture": 0.072,
    "Construction": 0.037,
    "Clothing": 0.029,
    "Industry": 0.023,
    "Auto technology": 0.006,
    "Jewelry": 0.004,
    "MLM partners": 0.0014,
    "Tourism": 0.0006,
}
PREV_NAME_YIELD_GROUP_PRICED: Vocabulary = {"middle": 0.333, "high": 0.307, "low_normal": 0.279, "low_action": 0.081}
PREV_PRODUCT_COMBINATION_CASH: Vocabulary = {
    "Cash": 0.171,
    "Cash X-Sell: middle": 0.086,
    "Cash X-Sell: low": 0.078,
    "Cash X-Sell: high": 0.036,
    "Cash Street: high": 0.036,
    "Cash Street: middle": 0.021,
    "Cash Street: low": 0.020,
}
PREV_PRODUCT_COMBINATION_POS: Vocabulary = {
    "POS household with interest": 0.374,
    "POS mobile with interest": 0.313,
    "POS industry with interest": 0.140,
    "POS household without interest": 0.118,
    "POS mobile without interest": 0.033,
    "POS other with interest": 0.033,
    "POS industry without interest": 0.019,
    "POS others without interest": 0.005,
}
PREV_PRODUCT_COMBINATION_CARD: Vocabulary = {"Card Street": 0.58, "Card X-Sell": 0.42}

# POS_CASH_balance.csv and credit_card_balance.csv
POS_STATUS_RARE: Vocabulary = {
    "Demand": 0.45,
    "Returned to the store": 0.35,
    "Approved": 0.15,
    "Amortized debt": 0.049,
    "Canceled": 0.0008,
    "XNA": 0.0002,
}
CARD_STATUS_RARE: Vocabulary = {
    "Signed": 0.76,
    "Demand": 0.23,
    "Sent proposal": 0.0085,
    "Refused": 0.0011,
    "Approved": 0.0004,
}
