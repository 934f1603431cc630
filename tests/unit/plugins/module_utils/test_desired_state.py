"""The desired-state core of lambda_event_invoke_configs (pure): entries, scope, glob expansion, plans per state."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import DELETED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import GATHERED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import MERGED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import OVERRIDDEN
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import REPLACED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import check_config
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import check_regions
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import expand
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import gathered_entry
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import missing_scope_names
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import needs_listing
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import parse_entries
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import parse_scope
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import plan_function
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import summarize
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import summary_message
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import CREATE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import DELETE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import LATEST
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import UPDATE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import ParameterError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Settings
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import parse_target

REGION = "us-east-1"
ACCOUNT = "123456789012"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failures"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:done"
NAMES = ["billing-api", "orders-api", "orders-worker", "reports"]


def refusal(call, *args) -> ParameterError:
    with pytest.raises(ParameterError) as caught:
        call(*args)
    return caught.value


def entry(function_name, **settings_) -> dict:
    return {"function_name": function_name, **settings_}


def config(name, qualifier=LATEST, retries=None, age=None, on_success=None, on_failure=None) -> EventInvokeConfig:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{qualifier}"
    return EventInvokeConfig(
        arn, name, qualifier, "2026-11-30T00:00:00+00:00", Settings(retries, age, on_success, on_failure)
    )


def expanded(state, items, scope=None, listed=tuple(NAMES)):
    entries = parse_entries(items, state, REGION)
    return expand(state, entries, parse_scope(scope, entries, state), list(listed) if listed else listed, REGION)


# ============================================================================================== entries


@pytest.mark.parametrize(
    ("state", "items", "option", "hint"),
    [
        pytest.param(
            MERGED,
            [entry("orders api", maximum_retry_attempts=1)],
            "config[0].function_name",
            "not a function name",
            id="space",
        ),
        pytest.param(
            MERGED, [entry("orders *", maximum_retry_attempts=1)], "config[0].function_name", "glob", id="glob-space"
        ),
        pytest.param(
            MERGED, [entry("o:*", maximum_retry_attempts=1)], "config[0].function_name", "glob", id="glob-colon"
        ),
        pytest.param(
            MERGED,
            [entry("a", maximum_retry_attempts=1), entry("b", maximum_retry_attempts=3)],
            "config[1].maximum_retry_attempts",
            "between 0 and 2",
            id="range-names-the-entry",
        ),
        pytest.param(
            MERGED,
            [entry("a", on_failure=QUEUE.replace("sqs", "events"))],
            "config[0].on_failure",
            "event bus",
            id="kind",
        ),
        pytest.param(MERGED, [entry("a", qualifier="bad qual")], "config[0].qualifier", "qualifier", id="qualifier"),
        pytest.param(
            MERGED, [entry("o-*", qualifier="bad qual")], "config[0].qualifier", "qualifier", id="glob-qualifier"
        ),
        pytest.param(
            DELETED, [entry("a", maximum_retry_attempts=1)], "config[0].maximum_retry_attempts", "delete", id="deleted"
        ),
        pytest.param(GATHERED, [entry("a", on_success="")], "config[0].on_success", "read", id="gathered"),
        pytest.param(
            MERGED,
            [entry(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:a:live", qualifier="1", maximum_retry_attempts=1)],
            "config[0].qualifier",
            "names qualifier",
            id="conflicting-qualifier",
        ),
    ],
)
def test_bad_entries_are_refused_naming_the_entry(state, items, option, hint):
    error = refusal(parse_entries, items, state, REGION)
    assert error.option == option
    assert hint in str(error) and option in str(error)


def test_entries_may_name_no_setting_and_removals_count_in_merged():
    assert parse_entries([entry("a")], REPLACED, REGION)[0].request == {}
    assert parse_entries([entry("a")], MERGED, REGION)[0].request == {}  # no change (plans below), not refused
    assert parse_entries([entry("a", on_success="")], MERGED, REGION)[0].request == {"on_success": None}


# ---------------------------------------------------------------------------------------------- an empty config


@pytest.mark.parametrize(
    ("state", "config_", "scope", "hint"),
    [
        pytest.param(MERGED, [], None, "state=merged needs at least one entry", id="merged-empty"),
        pytest.param(MERGED, None, None, "config is missing", id="merged-missing"),
        pytest.param(REPLACED, [], ["orders-*"], "state=replaced needs at least one entry", id="replaced-empty"),
        pytest.param(OVERRIDDEN, [], ["orders-*"], "would delete every config in scope", id="overridden-empty"),
        pytest.param(OVERRIDDEN, None, ["*"], "would delete every config in scope", id="overridden-missing"),
        pytest.param(OVERRIDDEN, None, None, "it has neither", id="overridden-neither"),
        pytest.param(OVERRIDDEN, [], None, "it has neither", id="overridden-empty-no-scope"),
    ],
)
def test_writing_states_refuse_an_empty_config_and_say_how_to_empty_a_scope(state, config_, scope, hint):
    """Issue 16: an expression that renders [] must not wipe a scope (overridden) or succeed silently."""
    error = refusal(check_config, config_, state, scope)
    assert error.option == "config" and hint in str(error)
    assert "state: deleted with scope" in str(error)


@pytest.mark.parametrize(
    ("state", "config_", "scope"),
    [
        pytest.param(DELETED, None, ["*"], id="deleted-scope"),
        pytest.param(DELETED, [], ["orders-*"], id="deleted-empty-scope"),
        pytest.param(GATHERED, None, ["*"], id="gathered-scope"),
        pytest.param(MERGED, [entry("a", maximum_retry_attempts=1)], None, id="merged"),
        pytest.param(OVERRIDDEN, [entry("a")], None, id="overridden-default-scope"),
    ],
)
def test_states_that_need_no_entries_or_have_them_pass(state, config_, scope):
    check_config(config_, state, scope)


# ---------------------------------------------------------------------------------------------- returned configs

FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-api"


def returned(name="orders-api", qualifier=LATEST, **settings_) -> dict:
    """A config as lambda_event_invoke_config_info's items and this module's changes[].before/after show it."""
    return config(name, qualifier, **settings_).to_result()


@pytest.mark.parametrize("state", [MERGED, REPLACED, OVERRIDDEN])
def test_a_returned_config_is_an_entry_for_that_config(state):
    [parsed] = parse_entries([returned(qualifier="live", retries=1, on_failure=QUEUE)], state, REGION)
    assert parsed.target == parse_target(f"{FN_ARN}:live")
    assert (parsed.qualifier, parsed.identity, parsed.pattern) == ("live", "function_arn", None)
    # null numbers are not named; last_modified and the identity are no settings; an empty half is a removal
    assert parsed.request == {"maximum_retry_attempts": 1, "on_success": None, "on_failure": QUEUE}


@pytest.mark.parametrize(
    ("item", "qualifier"),
    [
        pytest.param({"function_arn": f"{FN_ARN}:live"}, "live", id="arn-alone"),
        pytest.param({"function_arn": f"{FN_ARN}:$LATEST", "function_name": "orders-api"}, LATEST, id="with-name"),
        pytest.param({"function_arn": f"{FN_ARN}:live", "function_name": "orders-api"}, "live", id="arn-qualifies"),
        pytest.param({"function_arn": f"{FN_ARN}:live", "function_name": "orders-api:live"}, "live", id="name-q"),
        pytest.param({"function_arn": f"{FN_ARN}:live", "function_name": FN_ARN}, "live", id="with-arn-name"),
        pytest.param(
            {"function_arn": f"{FN_ARN}:1", "function_name": "orders-api", "qualifier": "1"}, "1", id="with-qualifier"
        ),
        pytest.param({"function_arn": f"{FN_ARN}:1", "qualifier": "1"}, "1", id="arn-and-qualifier"),
        pytest.param(
            {"function_arn": f"{FN_ARN}:live", "last_modified": "2026-11-30T00:00:00+00:00"}, "live", id="time-ignored"
        ),
    ],
)
def test_function_arn_names_the_config_and_agrees_with_the_rest(item, qualifier):
    [parsed] = parse_entries([{**item, "maximum_retry_attempts": 0}], MERGED, REGION)
    assert parsed.target == parse_target(FN_ARN, qualifier)
    assert parsed.request == {"maximum_retry_attempts": 0}


@pytest.mark.parametrize(
    ("item", "option", "hint"),
    [
        pytest.param({"function_arn": FN_ARN}, "config[0].function_arn", "not the qualified ARN", id="unqualified"),
        pytest.param(
            {"function_arn": f"{ACCOUNT}:function:orders-api:live"},
            "config[0].function_arn",
            "not the qualified ARN",
            id="partial-arn",
        ),
        pytest.param({"function_arn": "orders-api:live"}, "config[0].function_arn", "not the qualified", id="name"),
        pytest.param(
            {"function_arn": f"{FN_ARN}:live", "function_name": "billing-api"},
            "config[0].function_arn",
            "different function",
            id="other-function",
        ),
        pytest.param(
            {"function_arn": f"{FN_ARN}:live", "function_name": FN_ARN.replace(ACCOUNT, "210987654321")},
            "config[0].function_arn",
            "different account",
            id="other-account",
        ),
        pytest.param(
            {"function_arn": f"{FN_ARN}:live", "function_name": "orders-api", "qualifier": "1"},
            "config[0].function_arn",
            "names qualifier 'live' but the entry's qualifier says '1'",
            id="other-qualifier",
        ),
        pytest.param(
            {"function_arn": f"{FN_ARN}:live", "function_name": "orders-api:1"},
            "config[0].function_arn",
            "function_name says '1'",
            id="other-embedded-qualifier",
        ),
        pytest.param(
            {"function_arn": f"{FN_ARN}:live", "function_name": "orders-*"},
            "config[0].function_arn",
            "is a glob",
            id="glob",
        ),
        pytest.param({"qualifier": "live"}, "config[0].function_name", "is missing", id="no-function"),
    ],
)
def test_function_arn_refusals_name_the_entry(item, option, hint):
    error = refusal(parse_entries, [{**item, "maximum_retry_attempts": 0}], MERGED, REGION)
    assert error.option == option and hint in str(error) and option in str(error), str(error)


@pytest.mark.parametrize(
    ("items", "option"),
    [
        pytest.param([entry(FN_ARN.replace(REGION, "eu-west-1"))], "config[0].function_name", id="function_name"),
        pytest.param(
            [entry("a"), {"function_arn": f"{FN_ARN.replace(REGION, 'eu-west-1')}:live"}],
            "config[1].function_arn",
            id="function_arn",
        ),
    ],
)
def test_an_arn_of_another_region_is_refused_naming_the_entry(items, option):
    entries = parse_entries(items, REPLACED, REGION)
    error = refusal(check_regions, entries, REGION)
    assert error.option == option and "region eu-west-1" in str(error) and option in str(error)
    check_regions(entries, "eu-west-1")  # the same entries, in their own region


@pytest.mark.parametrize(
    ("state", "items", "scope", "hint"),
    [
        pytest.param(GATHERED, [], None, "needs scope", id="gathered-needs-scope"),
        pytest.param(DELETED, [], None, "needs scope", id="deleted-needs-scope"),
        pytest.param(GATHERED, [], [], "scope is empty", id="empty-scope"),
        pytest.param(OVERRIDDEN, [entry("billing-api")], ["orders-*"], "no scope pattern matches", id="outside-scope"),
        pytest.param(GATHERED, [], ["arn:aws:lambda:*"], "not a function-name glob", id="scope-arn"),
    ],
)
def test_scope_rules(state, items, scope, hint):
    entries = parse_entries(items, state, REGION)
    error = refusal(parse_scope, scope, entries, state)
    assert error.option == "scope" or error.option.startswith("scope[")
    assert hint in str(error)


def test_whole_region_is_never_a_default():
    assert parse_scope(None, parse_entries([entry("a")], REPLACED, REGION), REPLACED) is None
    assert "whole region" in str(refusal(parse_scope, None, [], GATHERED))


@pytest.mark.parametrize(
    ("state", "items", "scope", "expected"),
    [
        pytest.param(MERGED, [entry("a", maximum_retry_attempts=1)], None, False, id="names-only"),
        pytest.param(OVERRIDDEN, [entry("a", maximum_retry_attempts=1)], ["a", "b"], False, id="explicit-scope"),
        pytest.param(MERGED, [entry("o-*", maximum_retry_attempts=1)], None, True, id="glob-entry"),
        pytest.param(OVERRIDDEN, [entry("a", maximum_retry_attempts=1)], ["*"], True, id="glob-scope-overridden"),
        pytest.param(MERGED, [entry("a", maximum_retry_attempts=1)], ["*"], False, id="glob-scope-merged-unread"),
        pytest.param(DELETED, [entry("a")], ["*"], False, id="deleted-listed-configs"),
        pytest.param(DELETED, [], ["a-*"], True, id="deleted-everything-in-scope"),
    ],
)
def test_list_functions_only_when_a_glob_needs_it(state, items, scope, expected):
    assert needs_listing(state, parse_entries(items, state, REGION), scope) is expected


# ============================================================================================== expansion


def test_globs_expand_and_later_entries_override_earlier_ones_setting_by_setting():
    result = expanded(
        MERGED,
        [
            entry("orders-*", maximum_retry_attempts=1, on_failure=QUEUE),
            entry("orders-api", maximum_retry_attempts=0),
            entry("orders-*", qualifier="live", maximum_event_age_in_seconds=60),
        ],
    )
    assert sorted(result.functions) == ["orders-api", "orders-worker"]
    assert result.desired[("orders-api", LATEST)].request == {"maximum_retry_attempts": 0, "on_failure": QUEUE}
    assert result.desired[("orders-worker", LATEST)].request == {"maximum_retry_attempts": 1, "on_failure": QUEUE}
    assert result.desired[("orders-worker", "live")].target.qualifier == "live"
    assert result.unmatched == []


def test_a_glob_that_matches_nothing_is_reported():
    result = expanded(MERGED, [entry("ordrs-*", maximum_retry_attempts=1)])
    assert result.functions == {} and [e.position for e in result.unmatched] == [0]


def test_scope_bounds_what_globs_match():
    result = expanded(REPLACED, [entry("*", maximum_retry_attempts=1)], scope=["orders-*"])
    assert sorted(result.functions) == ["orders-api", "orders-worker"]


@pytest.mark.parametrize(
    ("state", "items", "scope", "functions"),
    [
        pytest.param(
            OVERRIDDEN,
            [entry("orders-api")],
            ["orders-*", "reports"],
            ["orders-api", "orders-worker", "reports"],
            id="overridden-reads-scope",
        ),
        pytest.param(OVERRIDDEN, [entry("orders-api")], None, ["orders-api"], id="overridden-default-scope"),
        pytest.param(GATHERED, [], ["*-api"], ["billing-api", "orders-api"], id="gathered-scope"),
        pytest.param(DELETED, [], ["orders-*"], ["orders-api", "orders-worker"], id="deleted-everything-in-scope"),
        pytest.param(DELETED, [entry("orders-api")], ["orders-*"], ["orders-api"], id="deleted-listed-only"),
        pytest.param(
            MERGED, [entry("reports", maximum_retry_attempts=1)], ["*"], ["reports"], id="merged-never-reads-more"
        ),
    ],
)
def test_which_functions_are_read(state, items, scope, functions):
    assert sorted(expanded(state, items, scope).functions) == functions


@pytest.mark.parametrize(
    ("state", "items", "scope", "listed", "unmatched"),
    [
        pytest.param(OVERRIDDEN, [entry("orders-api")], ["ordrs-*", "orders-*"], NAMES, [0], id="overridden-typo"),
        pytest.param(GATHERED, [], ["*-api", "zz-*", "reports"], NAMES, [1], id="gathered"),
        pytest.param(DELETED, [], ["legacy-*"], NAMES, [0], id="deleted"),
        # merged listed the functions for its glob entry; the scope bounds that glob, so its typo is told too
        pytest.param(
            MERGED, [entry("orders-*", maximum_retry_attempts=1)], ["ordrs-*", "orders-*"], NAMES, [0], id="merged"
        ),
        pytest.param(GATHERED, [], ["*"], [], [0], id="empty-region"),
        # never listed for the scope: nothing to tell it from, and no call is made to find out
        pytest.param(
            MERGED, [entry("orders-api", maximum_retry_attempts=1)], ["zz-*", "orders-*"], None, [], id="not-listed"
        ),
        pytest.param(GATHERED, [], ["nosuch"], None, [], id="names-are-not-globs"),
    ],
)
def test_a_scope_glob_that_matches_no_function_is_reported_where_functions_were_listed(
    state, items, scope, listed, unmatched
):
    assert expanded(state, items, scope, listed=listed).unmatched_scope == unmatched


@pytest.mark.parametrize(
    ("state", "items", "scope", "missing", "reported"),
    [
        pytest.param(GATHERED, [], ["orders-*", "nosuch", "reports"], ["nosuch"], [1], id="gathered"),
        pytest.param(DELETED, [], ["nosuch"], ["nosuch"], [0], id="deleted-everything-in-scope"),
        pytest.param(OVERRIDDEN, [entry("a")], ["a", "nosuch"], ["nosuch"], [1], id="overridden"),
        # an entry names it: its config fails as a missing function already
        pytest.param(OVERRIDDEN, [entry("nosuch")], ["nosuch"], ["nosuch"], [], id="named-by-an-entry"),
        # these states never read what scope names, so nothing tells it is missing
        pytest.param(DELETED, [entry("a")], ["a", "nosuch"], ["nosuch"], [], id="deleted-listed-only"),
        pytest.param(REPLACED, [entry("a")], ["a", "nosuch"], ["nosuch"], [], id="replaced"),
        pytest.param(GATHERED, [], ["nosuch*"], ["nosuch"], [], id="globs-are-told-from-the-listing"),
        pytest.param(GATHERED, [], ["reports"], [], [], id="exists"),
    ],
)
def test_a_missing_function_scope_names_is_reported_where_it_was_read(state, items, scope, missing, reported):
    entries = parse_entries(items, state, REGION)
    assert missing_scope_names(state, entries, parse_scope(scope, entries, state), missing) == reported


def test_an_explicit_name_in_scope_is_read_without_listing():
    assert sorted(expanded(GATHERED, [], ["reports"], listed=None).functions) == ["reports"]


def test_the_function_as_its_own_destination_is_found_once_a_glob_names_it():
    own = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-api"
    error = refusal(expanded, MERGED, [entry("orders-*", on_success=own)])
    assert error.option == "config[0].on_success" and "itself" in str(error)


# ============================================================================================== plans


def plan(state, desired_items, current, delete_unlisted=False, scope=None):
    result = expanded(state, desired_items, scope, listed=["fn"])
    wanted = {q: d for (_name, q), d in result.desired.items()}
    actions = plan_function(state, parse_target("fn"), wanted, current, delete_unlisted)
    return [(a.kind, a.target.qualifier, a.settings) for a in actions]


def test_merged_sets_what_is_named_and_keeps_the_rest():
    current = [config("fn", retries=2, age=600), config("fn", "live", retries=0)]
    assert plan(MERGED, [entry("fn", maximum_retry_attempts=1)], current) == [(UPDATE, LATEST, Settings(1, 600))]
    assert plan(MERGED, [entry("fn", maximum_retry_attempts=2)], current) == []
    assert plan(MERGED, [entry("fn", qualifier="1", on_failure=QUEUE)], current) == [
        (CREATE, "1", Settings(on_failure=QUEUE))
    ]


def test_replaced_makes_it_exactly_what_is_named():
    current = [config("fn", retries=2, age=600, on_failure=QUEUE)]
    assert plan(REPLACED, [entry("fn", maximum_retry_attempts=2)], current) == [(UPDATE, LATEST, Settings(2))]
    assert (
        plan(
            REPLACED,
            [entry("fn", maximum_retry_attempts=2, maximum_event_age_in_seconds=600, on_failure=QUEUE)],
            current,
        )
        == []
    )


def test_overridden_also_deletes_what_no_entry_names():
    current = [config("fn", retries=1), config("fn", "live", retries=0), config("fn", "1", on_success=TOPIC)]
    assert plan(OVERRIDDEN, [entry("fn", maximum_retry_attempts=1)], current) == [
        (DELETE, "1", None),
        (DELETE, "live", None),
    ]


def test_deleted_removes_the_listed_configs_or_everything_in_scope():
    current = [config("fn"), config("fn", "live")]
    assert plan(DELETED, [entry("fn", qualifier="live")], current) == [(DELETE, "live", None)]
    assert plan(DELETED, [entry("fn", qualifier="2")], current) == []  # nothing to delete is not an error
    assert plan(DELETED, [], current, delete_unlisted=True, scope=["fn"]) == [
        (DELETE, LATEST, None),
        (DELETE, "live", None),
    ]


@pytest.mark.parametrize(
    "items",
    [
        pytest.param([entry("fn")], id="name"),
        pytest.param([entry("fn", qualifier="live")], id="name-qualifier"),
        pytest.param([gathered_entry(config("fn"))], id="gathered-config-with-no-setting"),
        pytest.param([entry("fn", maximum_retry_attempts=1), entry("fn")], id="after-an-entry-with-settings"),
    ],
)
def test_merged_entry_that_names_no_setting_changes_nothing(items):
    """Issue 16: gathered's entry of a config with no setting, applied with merged, is no change (it used to be
    refused). Where no config exists there is nothing to create either: AWS applies its defaults either way."""
    current = [config("fn", retries=1), config("fn", "live", age=600)]
    assert plan(MERGED, items, current) == []
    assert plan(MERGED, [entry("fn", qualifier="2")], current) == []
    assert plan(MERGED, items, []) == ([] if len(items) == 1 else [(CREATE, LATEST, Settings(1))])


def test_a_missing_function_has_nothing_to_delete_or_gather():
    assert plan(DELETED, [], None, delete_unlisted=True, scope=["fn"]) == []
    assert plan(GATHERED, [], [config("fn")], scope=["fn"]) == []


# ============================================================================================== gathered round trip

SETTING_VALUES = st.builds(
    Settings,
    st.one_of(st.none(), st.integers(0, 2)),
    st.one_of(st.none(), st.integers(60, 21600)),
    st.one_of(st.none(), st.just(TOPIC)),
    st.one_of(st.none(), st.just(QUEUE)),
)


@settings(max_examples=100, deadline=None, database=None)
@given(st.dictionaries(st.sampled_from([LATEST, "1", "live", "blue"]), SETTING_VALUES, max_size=4))
def test_property_gathered_applied_with_overridden_changes_nothing(state_of_fn):
    """Issue: `gathered` saved and applied back with state=overridden reports changed=false."""
    current = [
        config("fn", q, s.maximum_retry_attempts, s.maximum_event_age_in_seconds, s.on_success, s.on_failure)
        for q, s in state_of_fn.items()
    ]
    items = [gathered_entry(c) for c in current]
    assert plan(OVERRIDDEN, items, current, scope=["fn"]) == []
    assert plan(REPLACED, items, current) == []
    assert plan(MERGED, items, current) == []


@settings(max_examples=100, deadline=None, database=None)
@given(st.dictionaries(st.sampled_from([LATEST, "1", "live", "blue"]), SETTING_VALUES, max_size=4))
def test_property_returned_configs_applied_back_change_nothing(state_of_fn):
    """Issue 16: the items of lambda_event_invoke_config_info, and changes[].before/after, are config entries as they
    are (function_arn, last_modified, null numbers, destination_config) and applying them back changes nothing."""
    current = [
        config("fn", q, s.maximum_retry_attempts, s.maximum_event_age_in_seconds, s.on_success, s.on_failure)
        for q, s in state_of_fn.items()
    ]
    items = [c.to_result() for c in current]
    assert plan(OVERRIDDEN, items, current, scope=["fn"]) == []
    assert plan(REPLACED, items, current) == []
    assert plan(MERGED, items, current) == []


# ============================================================================================== summary

A, A_LIVE, A_2, B = ("a", LATEST), ("a", "live"), ("a", "2"), ("b", LATEST)
COUNTS = ("created", "updated", "deleted", "failed", "unchanged")


@pytest.mark.parametrize(
    ("state", "desired", "read", "changes", "failed", "delete_unlisted", "expected"),
    [
        pytest.param(MERGED, [A, A_LIVE], [A, A_LIVE, B], [(A, CREATE)], [], False, (1, 0, 0, 0, 1), id="merged"),
        pytest.param(
            OVERRIDDEN,
            [A],
            [A, A_LIVE, B],
            [(A, UPDATE), (A_LIVE, DELETE)],
            [],
            False,
            (0, 1, 1, 0, 1),
            id="overridden-holds-everything-read",
        ),
        pytest.param(DELETED, [], [A, A_LIVE], [(A, DELETE), (A_LIVE, DELETE)], [], True, (0, 0, 2, 0, 0), id="all"),
        pytest.param(DELETED, [A, A_2], [A, A_LIVE], [(A, DELETE)], [], False, (0, 0, 1, 0, 1), id="deleted-listed"),
        pytest.param(GATHERED, [], [A, A_LIVE, B], [], [], False, (0, 0, 0, 0, 3), id="gathered"),
        pytest.param(MERGED, [A, B], [A], [(A, CREATE)], [B], False, (1, 0, 0, 1, 0), id="failed"),
        pytest.param(OVERRIDDEN, [], [A], [], [("b", "*")], False, (0, 0, 0, 1, 1), id="function-failed"),
    ],
)
def test_summary_counts_every_config_the_task_holds_once(
    state, desired, read, changes, failed, delete_unlisted, expected
):
    counts = summarize(state, desired, read, changes, failed, delete_unlisted)
    assert counts == dict(zip(COUNTS, expected, strict=True))


@pytest.mark.parametrize(
    ("state", "counts", "message"),
    [
        pytest.param(
            MERGED, (12, 3, 0, 0, 285), "300 configs: 12 created, 3 updated, 0 deleted, 285 unchanged", id="issue"
        ),
        pytest.param(DELETED, (0, 0, 1, 0, 0), "1 config: 0 created, 0 updated, 1 deleted, 0 unchanged", id="one"),
        pytest.param(MERGED, (0, 0, 0, 0, 0), "0 configs: 0 created, 0 updated, 0 deleted, 0 unchanged", id="none"),
        pytest.param(GATHERED, (0, 0, 0, 0, 6), "6 configs gathered", id="gathered"),
        pytest.param(
            MERGED, (1, 0, 0, 2, 0), "3 configs: 1 created, 0 updated, 0 deleted, 2 failed, 0 unchanged", id="f"
        ),
    ],
)
def test_summary_message(state, counts, message):
    assert summary_message(state, dict(zip(COUNTS, counts, strict=True))) == message


def test_a_config_counts_once_in_the_summary_whatever_else_is_said_of_it():
    """A changed config is not also unchanged, and a config both failed and changed (a whole function's failure
    reported beside a change made before it) counts as changed only: every config counts once."""
    a, b = ("fn", LATEST), ("fn", "live")
    counts = summarize(MERGED, [a, b], [], [(a, CREATE)], [], delete_unlisted=False)
    assert (counts["created"], counts["unchanged"], counts["failed"]) == (1, 1, 0)
    counts = summarize(MERGED, [a, b], [], [(a, CREATE)], [a], delete_unlisted=False)
    assert (counts["created"], counts["unchanged"], counts["failed"]) == (1, 1, 0)
