"""Device model: per-attribute mutability, BytesPerMessage limits, report splitting by size, SummaryInventory."""

from __future__ import annotations

import pytest

from ocppwire.devicemodel import DeviceModel, Mutability, get_variable_data, set_variable_data
from ocppwire.devicemodel.store import split_items
from ocppwire.runtime.errors import FormatViolationError, OccurrenceConstraintViolationError
from ocppwire.runtime.payload import encode
from ocppwire.v201 import catalog as c
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

TARGET, ACTUAL = e.AttributeEnumType.TARGET, e.AttributeEnumType.ACTUAL


def test_each_attribute_has_its_own_mutability() -> None:
    dm = DeviceModel()
    dm.add(
        c.EVSE.Power,
        7000.0,
        evse=1,
        attributes={TARGET: 11000.0},
        attribute_mutability={ACTUAL: Mutability.READ_ONLY, TARGET: Mutability.READ_WRITE},
    )
    request = m.SetVariablesRequest(
        set_variable_data=[
            set_variable_data(c.EVSE.Power, 5000.0, evse=1, check=False),
            set_variable_data(c.EVSE.Power, 9000.0, evse=1, attribute_type=TARGET, check=False),
        ]
    )
    actual, target = dm.set_variables(request).set_variable_result
    assert actual.attribute_status is e.SetVariableStatusEnumType.REJECTED
    assert actual.attribute_status_info.reason_code == "ReadOnly"  # type: ignore[union-attr]
    assert target.attribute_status is e.SetVariableStatusEnumType.ACCEPTED
    assert dm.get(c.EVSE.Power, evse=1) == 7000 and dm.get(c.EVSE.Power, evse=1, attribute=TARGET) == 9000
    [item] = dm.report(m.GetReportRequest(request_id=1))[1]
    assert [(a.type, a.mutability) for a in item.variable_attribute] == [
        (ACTUAL, e.MutabilityEnumType.READ_ONLY),
        (TARGET, e.MutabilityEnumType.READ_WRITE),
    ]


def test_bytes_and_items_per_message_bound_requests() -> None:
    dm = DeviceModel()
    dm.add(c.OCPPCommCtrlr.HeartbeatInterval, 300)
    get = m.GetVariablesRequest(get_variable_data=[get_variable_data(c.OCPPCommCtrlr.HeartbeatInterval)] * 3)
    size = len(encode(get))
    dm.add(c.DeviceDataCtrlr.BytesPerMessage_GetVariables, size)
    dm.get_variables(get)  # exactly at the limit
    dm.set(c.DeviceDataCtrlr.BytesPerMessage_GetVariables, size - 1)
    with pytest.raises(FormatViolationError, match="BytesPerMessage"):
        dm.get_variables(get)
    dm.add(c.DeviceDataCtrlr.ItemsPerMessage_SetVariables, 1)
    two = m.SetVariablesRequest(set_variable_data=[set_variable_data(c.OCPPCommCtrlr.HeartbeatInterval, 60)] * 2)
    with pytest.raises(OccurrenceConstraintViolationError, match="ItemsPerMessage"):
        dm.set_variables(two)


def test_reports_split_by_count_and_by_size() -> None:
    dm = DeviceModel(items_per_message=10)
    for evse in range(1, 8):
        dm.add(c.EVSE.AvailabilityState, "Available", evse=evse)
    items = dm.base_report(m.GetBaseReportRequest(request_id=1, report_base=e.ReportBaseEnumType.FULL_INVENTORY))[1]
    assert [len(r.report_data) for r in dm.notify_reports(1, items)] == [7]  # type: ignore[arg-type]
    one = len(encode(items[0])) + 1
    dm.bytes_per_message = 3 * one
    reports = dm.notify_reports(1, items)
    assert [len(r.report_data) for r in reports] == [3, 3, 1]  # type: ignore[arg-type]
    assert [(r.seq_no, r.tbc) for r in reports] == [(0, True), (1, True), (2, False)]
    assert split_items([], 5, 10) == [[]]
    assert split_items([b"x" * 50], 5, 10) == [[b"x" * 50]]  # an item larger than the budget still goes, alone


def test_summary_inventory_is_empty_without_state_variables() -> None:
    dm = DeviceModel()
    dm.add(c.OCPPCommCtrlr.HeartbeatInterval, 300)
    response, items = dm.base_report(
        m.GetBaseReportRequest(request_id=1, report_base=e.ReportBaseEnumType.SUMMARY_INVENTORY)
    )
    assert response.status is e.GenericDeviceModelStatusEnumType.EMPTY_RESULT_SET and items == []
