"""Shared PKI for the certificate and letter tests: keys are generated once per session."""

from __future__ import annotations

import pytest

from medsnap.crypto.certificates import HospitalCA
from pki_people import Person, make_person


@pytest.fixture(scope="session")
def hospital_ca() -> HospitalCA:
    return HospitalCA.create("St Elsewhere NHS Trust Root")


@pytest.fixture(scope="session")
def foreign_ca() -> HospitalCA:
    return HospitalCA.create("St Elsewhere NHS Trust Root")  # same name, different key


@pytest.fixture(scope="session")
def alice(hospital_ca: HospitalCA) -> Person:
    return make_person(hospital_ca, "alice.adams@elsewhere.nhs.uk", "Dr Alice Adams")


@pytest.fixture(scope="session")
def bob(hospital_ca: HospitalCA) -> Person:
    return make_person(hospital_ca, "bob.brown@elsewhere.nhs.uk", "Dr Bob Brown")


@pytest.fixture(scope="session")
def carol(hospital_ca: HospitalCA) -> Person:
    return make_person(hospital_ca, "carol.chen@elsewhere.nhs.uk", "Dr Carol Chen")
