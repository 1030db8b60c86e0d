"""generated/models.py from fixture.yaml: strict JSON scalars, RFC 3339 dates, nulls, form models."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pydantic
import pytest
from conftest import Generated

VITALS = {
    "weightKg": 70.5,
    "fasting": True,
    "heartRate": 72,
    "measuredOn": "2027-03-28",
    "takenAt": "2027-03-28T09:00:00+02:00",
}


def vitals(generated: Generated, **changes: Any) -> Any:
    return generated.models.Vitals.model_validate({**VITALS, **changes})


def refused(generated: Generated, **changes: Any) -> list[Any]:
    """The locations pydantic reports for a Vitals with `changes`; fails if it validates."""
    with pytest.raises(pydantic.ValidationError) as error:
        vitals(generated, **changes)
    return [e["loc"] for e in error.value.errors()]


def test_valid_vitals_validate_with_the_contracts_names_as_aliases(generated: Generated) -> None:
    v = vitals(generated)
    assert (v.weight_kg, v.fasting, v.heart_rate) == (70.5, True, 72)
    assert v.measured_on == date(2027, 3, 28)
    assert v.taken_at == datetime(2027, 3, 28, 9, tzinfo=timezone(timedelta(hours=2)))
    assert v.model_dump(by_alias=True, exclude_none=True).keys() == VITALS.keys()


def test_a_number_refuses_a_string(generated: Generated) -> None:
    assert refused(generated, weightKg="70.5") == [("weightKg",)]


def test_a_number_accepts_an_integer(generated: Generated) -> None:
    assert vitals(generated, weightKg=70).weight_kg == 70.0


def test_an_exclusive_minimum_refuses_the_bound_itself(generated: Generated) -> None:
    assert refused(generated, weightKg=0) == [("weightKg",)]


@pytest.mark.parametrize("value", ["72", True, 72.5])
def test_an_integer_refuses_strings_booleans_and_fractions(generated: Generated, value: object) -> None:
    assert refused(generated, heartRate=value) == [("heartRate",)]


def test_an_integer_accepts_a_json_number_without_fraction(generated: Generated) -> None:
    assert vitals(generated, heartRate=72.0).heart_rate == 72


def test_an_integer_keeps_its_bounds(generated: Generated) -> None:
    assert refused(generated, heartRate=251) == [("heartRate",)]


@pytest.mark.parametrize("value", [1, 0, "true", "yes"])
def test_a_boolean_refuses_numbers_and_strings(generated: Generated, value: object) -> None:
    assert refused(generated, fasting=value) == [("fasting",)]


@pytest.mark.parametrize(
    "value",
    [
        "2027-03-28 09:00:00Z",  # a space for the T
        "2027-03-28T09:00:00",  # no offset
        "2027-03-28T09:00Z",  # no seconds
        "2027-03-28",  # a date
        1806822000,  # a Unix time
        "1999-12-31T23:00:00Z",  # before 2000
        "2100-01-01T00:00:00Z",  # after 2099
    ],
)
def test_a_date_time_refuses_anything_but_rfc_3339_in_2000_to_2099(
    generated: Generated, value: object
) -> None:
    assert refused(generated, takenAt=value) == [("takenAt",)]


def test_a_date_time_accepts_lower_case_t_and_z(generated: Generated) -> None:
    assert vitals(generated, takenAt="2027-03-28t07:00:00.5z").taken_at == datetime(
        2027, 3, 28, 7, 0, 0, 500000, tzinfo=UTC
    )


def test_a_date_time_field_built_by_a_handler_takes_a_datetime(generated: Generated) -> None:
    when = datetime(2027, 3, 28, 7, tzinfo=UTC)
    assert generated.models.Vitals(**{**VITALS, "takenAt": when}).taken_at == when


def test_a_date_time_built_by_a_handler_without_a_zone_is_refused(generated: Generated) -> None:
    assert refused(generated, takenAt=datetime(2027, 3, 28, 7)) == [("takenAt",)]


def test_a_date_time_is_written_in_utc_with_z_whatever_offset_it_came_with(generated: Generated) -> None:
    berlin_morning = datetime(2027, 3, 28, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    for taken_at in ("2027-03-28T09:30:00+02:00", berlin_morning):
        written = generated.models.Vitals.model_validate({**VITALS, "takenAt": taken_at})
        assert '"takenAt":"2027-03-28T07:30:00Z"' in written.model_dump_json(by_alias=True)


@pytest.mark.parametrize(
    "value", ["2027-03-28T00:00:00Z", "2027-3-28", "20270328", 20270328, "1999-12-31", "2100-01-01"]
)
def test_a_date_refuses_anything_but_a_full_date_in_2000_to_2099(generated: Generated, value: object) -> None:
    assert refused(generated, measuredOn=value) == [("measuredOn",)]


def test_a_date_refuses_an_impossible_day(generated: Generated) -> None:
    assert refused(generated, measuredOn="2027-02-30") == [("measuredOn",)]


def test_an_optional_property_that_is_not_nullable_refuses_null(generated: Generated) -> None:
    assert refused(generated, note=None) == [("note",)]


def test_an_omitted_optional_property_takes_its_default(generated: Generated) -> None:
    assert vitals(generated).note is None


def test_an_optional_property_nullable_by_any_of_accepts_null(generated: Generated) -> None:
    assert vitals(generated, device=None).device is None


def test_an_optional_property_nullable_by_type_list_accepts_null(generated: Generated) -> None:
    body = {"email": "a@b.test", "password": "long enough", "fullName": "A", "phoneNumber": None}
    assert generated.models.RegisterRequest.model_validate(body).phone_number is None


def test_a_required_nullable_property_must_be_present(generated: Generated) -> None:
    appointment = {
        "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "patientId": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "doctorId": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "startsAt": "2027-03-28T09:00:00Z",
        "status": "scheduled",
    }
    with pytest.raises(pydantic.ValidationError):
        generated.models.Appointment.model_validate(appointment)
    assert generated.models.Appointment.model_validate({**appointment, "reason": None}).reason is None


def test_a_problems_optional_fields_refuse_null(generated: Generated) -> None:
    with pytest.raises(pydantic.ValidationError) as error:
        generated.models.Problem.model_validate({"title": "Bad", "status": 422, "detail": None})
    assert [e["loc"] for e in error.value.errors()] == [("detail",)]


def test_a_problems_status_is_a_strict_integer(generated: Generated) -> None:
    with pytest.raises(pydantic.ValidationError):
        generated.models.Problem.model_validate({"title": "Bad", "status": "422"})


def test_a_form_models_scalars_stay_lax_because_form_values_are_strings(generated: Generated) -> None:
    form = generated.models.TwilioVoiceForm.model_validate(
        {"CallSid": "CA1", "From": "+15550001", "CallDuration": "42"}
    )
    assert form.call_duration == 42


def test_a_form_model_keeps_extra_fields_and_refuses_null(generated: Generated) -> None:
    form = generated.models.TwilioVoiceForm.model_validate({"CallSid": "CA1", "From": "x", "Caller": "y"})
    assert form.model_extra == {"Caller": "y"}
    with pytest.raises(pydantic.ValidationError):
        generated.models.TwilioVoiceForm.model_validate({"CallSid": "CA1", "From": "x", "To": None})


def test_an_enum_schema_is_a_str_enum(generated: Generated) -> None:
    assert [m.value for m in generated.models.UserRole] == ["patient", "doctor", "admin"]
    assert generated.models.UserRole("doctor") == "doctor"


def test_additional_properties_false_refuses_an_unknown_property(generated: Generated) -> None:
    assert refused(generated, pulse=72) == [("pulse",)]


def test_an_any_of_string_or_integer_keeps_each_and_refuses_a_boolean(generated: Generated) -> None:
    assert vitals(generated, position=["arm", 2, "2"]).position == ["arm", 2, "2"]
    assert {loc[:2] for loc in refused(generated, position=[True])} == {("position", 0)}


def test_string_patterns_and_formats_are_checked(generated: Generated) -> None:
    device = {"serial": "ABC123", "manualUrl": "https://example.test/m", "supportEmail": "help@example.com"}
    assert vitals(generated, device=device).device.serial == "ABC123"
    for change in ({"serial": "abc123"}, {"manualUrl": "not a url"}, {"supportEmail": "not-an-email"}):
        assert refused(generated, device={**device, **change})[0][:2] == ("device", next(iter(change)))


def test_an_all_of_schema_extends_its_base_model(generated: Generated) -> None:
    m = generated.models
    assert issubclass(m.HealthGetResponse, m.Problem)
    problem = {"title": "Not ready", "status": 503}
    with pytest.raises(pydantic.ValidationError):
        m.HealthGetResponse.model_validate(problem)
    with pytest.raises(pydantic.ValidationError):
        m.HealthGetResponse.model_validate({**problem, "checks": "db", "detail": None})
    assert m.HealthGetResponse.model_validate({**problem, "checks": "db"}).checks == "db"
