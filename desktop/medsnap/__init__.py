"""MedSnap: share part of a patient record with a named colleague, safely."""

__version__ = "0.1.0"
