__version__ = "0.1.0"
# Version of the letter record's JSON Schema (schema/letter_record.schema.json).
SCHEMA_VERSION = "1.4.0"
