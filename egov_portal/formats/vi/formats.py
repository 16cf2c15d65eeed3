# Vietnamese number and date formats: 1.234,5 and 31/12/2025. Django's own "vi" module does
# not group thousands, which makes 10051 communes hard to read.
SHORT_DATE_FORMAT = "d/m/Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
