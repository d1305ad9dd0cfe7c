"""The CloudWatch-via-SNS adapter: pure, table-driven over the shared payloads and hand-made envelopes.

The shared files carry fake SNS signatures; these tests only parse (signatures: test_sns.py).
"""

import json
from datetime import UTC, datetime

import pytest

from alerts.adapters import base, cloudwatch
from alerts.adapters.base import Ordering
from tests.payloads import PAYLOADS

ARN = "arn:aws:cloudwatch:us-east-1:902114437015:alarm:web-frontend-alb-5xx-high"
TOPIC = "arn:aws:sns:us-east-1:902114437015:ops-cloudwatch-alarms"


def load(name: str) -> tuple[dict, dict]:
    """A shared payload as the endpoint sees it: the body's bytes decoded as JSON, and its headers."""
    body = (PAYLOADS / "cloudwatch-sns" / f"{name}.json").read_bytes()
    headers = json.loads((PAYLOADS / "cloudwatch-sns" / f"{name}.headers.json").read_bytes())
    return json.loads(body), headers


def alarm(**changes) -> dict:
    message = {
        "AlarmName": "db-cpu-high",
        "AlarmArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:db-cpu-high",
        "NewStateValue": "ALARM",
        "NewStateReason": "Threshold Crossed",
        "StateChangeTime": "2026-03-12T21:07:44.871+0000",
        "Region": "EU (Ireland)",
        "AWSAccountId": "111122223333",
    }
    message.update(changes)
    return {k: v for k, v in message.items() if v is not None}


def notification(message=None, **changes) -> dict:
    envelope = {
        "Type": "Notification",
        "MessageId": "6b0e71bd-7e97-5d97-80ce-4a8b0e5b2a9b",
        "TopicArn": "arn:aws:sns:eu-west-1:111122223333:alarms",
        "Message": json.dumps(alarm() if message is None else message),
        "Timestamp": "2026-03-12T21:07:44.913Z",
    }
    envelope.update(changes)
    return {k: v for k, v in envelope.items() if v is not None}


@pytest.mark.parametrize(
    ("name", "vendor_id", "status", "event_at", "starts_at", "ends_at"),
    [
        (
            "alarm",
            "e0853940-17bf-5fb4-aaa2-598e8bd8306f",
            base.SignalStatus.FIRING,
            datetime(2026, 3, 12, 21, 7, 44, 871000, tzinfo=UTC),
            datetime(2026, 3, 12, 21, 7, 44, 871000, tzinfo=UTC),
            None,
        ),
        (
            "ok",
            "70b4aa0b-121e-5902-a07e-e6ae8a7458b1",
            base.SignalStatus.RESOLVED,
            datetime(2026, 3, 12, 21, 32, 44, 619000, tzinfo=UTC),
            None,
            datetime(2026, 3, 12, 21, 32, 44, 619000, tzinfo=UTC),
        ),
    ],
)
def test_parse_shared_payload_yields_one_signal_keyed_by_alarm_arn(
    name, vendor_id, status, event_at, starts_at, ends_at
):
    payload, headers = load(name)

    parsed = cloudwatch.parse(payload, headers=headers)

    assert parsed.vendor_id == vendor_id
    assert parsed.subscription is None
    assert parsed.meta == {"sns_type": "Notification", "topic_arn": TOPIC}
    [signal] = parsed.signals
    assert signal.dedup_key == ARN
    assert signal.group_key == f"cw:{ARN}"
    assert signal.status == status
    assert signal.event_at == event_at
    assert signal.event_at.utcoffset().total_seconds() == 0
    assert (signal.starts_at, signal.ends_at) == (starts_at, ends_at)
    assert signal.title == "web-frontend-alb-5xx-high"
    assert signal.description.startswith("Threshold Crossed: ")
    assert signal.severity == ""
    assert signal.order == Ordering.STATE_TIME
    assert signal.labels == {
        "alarm_name": "web-frontend-alb-5xx-high",
        "region": "US East (N. Virginia)",
        "aws_account_id": "902114437015",
        "namespace": "AWS/ApplicationELB",
        "metric_name": "HTTPCode_Target_5XX_Count",
        "dimension.LoadBalancer": "app/web-frontend-prod/6f1d2c3b4a5e6d7c",
    }
    assert signal.annotations["alarm_description"].startswith("HTTP 5xx count")
    assert signal.links == (
        {
            "href": "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
            "#alarmsV2:alarm/web-frontend-alb-5xx-high",
            "text": "CloudWatch alarm",
        },
    )


def test_parse_alarm_then_ok_share_dedup_and_group_keys_with_ok_newer():
    fired = cloudwatch.parse(load("alarm")[0]).signals[0]
    resolved = cloudwatch.parse(load("ok")[0]).signals[0]

    assert (fired.dedup_key, fired.group_key) == (resolved.dedup_key, resolved.group_key)
    assert resolved.event_at > fired.event_at


def test_parse_insufficient_data_yields_no_signal_but_keeps_vendor_id():
    parsed = cloudwatch.parse(notification(alarm(NewStateValue="INSUFFICIENT_DATA")))

    assert parsed.signals == ()
    assert parsed.vendor_id == "6b0e71bd-7e97-5d97-80ce-4a8b0e5b2a9b"


def test_parse_composite_alarm_without_trigger_yields_signal_with_basic_labels():
    parsed = cloudwatch.parse(notification(alarm(AlarmRule="ALARM(a) OR ALARM(b)")))

    assert parsed.signals[0].labels == {
        "alarm_name": "db-cpu-high",
        "region": "EU (Ireland)",
        "aws_account_id": "111122223333",
    }


def test_parse_alarm_in_china_partition_has_no_console_link():
    arn = "arn:aws-cn:cloudwatch:cn-north-1:111122223333:alarm:x"

    assert cloudwatch.parse(notification(alarm(AlarmArn=arn))).signals[0].links == ()


def test_parse_nul_characters_are_removed():
    parsed = cloudwatch.parse(notification(alarm(NewStateReason="bad\x00byte")))

    assert parsed.signals[0].description == "badbyte"


def test_parse_subscription_confirmation_yields_subscription_and_no_signal():
    url = "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=t&Token=abc"
    payload = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "abc",
        "TopicArn": "arn:aws:sns:eu-west-1:111122223333:alarms",
        "Message": "You have chosen to subscribe to the topic ...",
        "SubscribeURL": url,
        "Timestamp": "2026-03-12T21:00:00.000Z",
    }

    parsed = cloudwatch.parse(payload, headers={"X-Amz-Sns-Message-Type": "SubscriptionConfirmation"})

    assert parsed.signals == ()
    assert parsed.vendor_id == "165545c9-2a5c-472c-8df2-7ff2be2b3b1b"
    assert parsed.subscription == base.SnsSubscription(
        topic_arn="arn:aws:sns:eu-west-1:111122223333:alarms", subscribe_url=url
    )


def test_parse_unsubscribe_confirmation_yields_nothing():
    payload = {"Type": "UnsubscribeConfirmation", "MessageId": "m-1", "Message": "unsubscribed"}

    parsed = cloudwatch.parse(payload)

    assert (parsed.signals, parsed.subscription, parsed.vendor_id) == ((), None, "m-1")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([], ""),
        ("not an object", ""),
        (notification(Type=None), "Type"),
        (notification(Type="Announcement"), "Type"),
        (notification(MessageId=None), "MessageId"),
        (notification(MessageId=7), "MessageId"),
        (notification(Message=None), "Message"),
        (notification(Message=""), "Message"),
        (notification(Message="Hello from a plain-text SNS publish"), "Message"),
        (notification(Message="[1, 2]"), "Message"),
        (notification(alarm(AlarmArn=None)), "Message.AlarmArn"),
        (notification(alarm(AlarmName=None)), "Message.AlarmName"),
        (notification(alarm(NewStateValue=None)), "Message.NewStateValue"),
        (notification(alarm(NewStateValue="PANIC")), "Message.NewStateValue"),
        (notification(alarm(StateChangeTime=None)), "Message.StateChangeTime"),
        (notification(alarm(StateChangeTime="yesterday")), "Message.StateChangeTime"),
        (notification(alarm(StateChangeTime="2026-03-12T21:07:44.871")), "Message.StateChangeTime"),
        ({"Type": "SubscriptionConfirmation", "MessageId": "m", "TopicArn": "t"}, "SubscribeURL"),
    ],
)
def test_parse_malformed_envelope_raises_payload_error_naming_the_field(payload, field):
    with pytest.raises(base.PayloadError) as caught:
        cloudwatch.parse(payload)

    assert caught.value.status == 400
    assert caught.value.code == "invalid_payload"
    assert caught.value.extra == {"field": field}


def test_parse_plain_text_message_error_says_so():
    with pytest.raises(base.PayloadError, match="plain text"):
        cloudwatch.parse(notification(Message="Hello"))


def test_parse_header_type_disagreeing_with_body_raises_payload_error():
    payload, headers = load("alarm")

    with pytest.raises(base.PayloadError) as caught:
        cloudwatch.parse(payload, headers={**headers, "x-amz-sns-message-type": "SubscriptionConfirmation"})

    assert caught.value.extra == {"field": "Type"}
