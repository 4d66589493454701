"""OpenAPI descriptions of the presentations API: the shapes stored as JSON (date lists, the
moves of a repaired schedule) and the examples of each endpoint (used by `@extend_schema` in
apis.py). The examples are the seed course's six presenter groups of CS 7643 Fall 2017."""

from __future__ import annotations

from typing import Any

from courseportal.openapi import request_example, response_example

DATE_LIST: dict[str, Any] = {"type": "array", "items": {"type": "string", "format": "date"}}


# The moves of a schedule repaired after a calendar change (`from` is a Python keyword, so a
# serializer cannot declare it: the shape is written out).
MOVES: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "group_id": {"type": "integer"},
            "group": {"type": "string", "description": "the group's name"},
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
        },
        "required": ["group_id", "group", "from", "to"],
    },
}


# --- Examples -------------------------------------------------------------------------------

GROUP = {
    "id": 1,
    "name": "Visualizations",
    "members": ["Ada Lovelace", "Alan Turing"],
    "topic": "Visualizing CNNs",
    "fixed_date": None,
    "preferences": ["2017-10-12", "2017-10-17"],
    "unavailable": ["2017-10-26"],
    "slides_link": "",
    "slides_updated_at": None,
}
GROUP_LIST = [response_example("A presenter group", GROUP)]
GROUP_CREATE = [
    request_example(
        "Staff form a group of two students",
        {
            "name": "Visualizations",
            "members": ["student1", "student2"],
            "preferences": ["2017-10-12", "2017-10-17"],
        },
    ),
    request_example(
        "A student starts a group (then invites classmates)",
        {"name": "Visualizations", "preferences": ["2017-10-12", "2017-10-17"]},
        name="Student",
    ),
    response_example(
        "Created", {**GROUP, "topic": "", "unavailable": []}, status=201, name="Created"
    ),
]
GROUP_DETAIL = [response_example("A presenter group", GROUP)]
GROUP_UPDATE = [
    request_example(
        "A member ranks dates",
        {"preferences": ["2017-10-12", "2017-10-17"], "unavailable": ["2017-10-26"]},
    ),
    request_example(
        "Staff fix a date", {"fixed_date": "2017-10-17", "topic": "Visualizing CNNs"}, name="Fix"
    ),
    response_example("Updated", GROUP),
]
SLIDES_LINK = "https://docs.google.com/presentation/d/1Zeiler-Fergus-2013/edit"
SLIDES_PUT = [
    request_example("A Google Slides link", {"slides_link": SLIDES_LINK}),
    response_example(
        "Linked",
        {**GROUP, "slides_link": SLIDES_LINK, "slides_updated_at": "2017-10-15T20:41:09-04:00"},
    ),
]
SLIDES_POST = [
    request_example(
        "A PDF upload",
        {"slides_file": "visualizations.pdf (application/pdf)"},
        media_type="multipart/form-data",
    ),
    response_example(
        "Uploaded",
        {**GROUP, "slides_updated_at": "2017-10-15T20:41:09-04:00"},
    ),
]

SCHEDULE: dict[str, Any] = {
    "id": 1,
    "version": 1,
    "status": "draft",
    "total_cost": 1,
    "created_at": "2017-10-02T11:05:41-04:00",
    "published_at": None,
    "slots": [
        {"group": 2, "group_name": "Explanations", "date": "2017-10-12", "order": 1, "choice": 1},
        {"group": 3, "group_name": "Saliency maps", "date": "2017-10-12", "order": 2, "choice": 1},
        {"group": 1, "group_name": "Visualizations", "date": "2017-10-17", "order": 1, "choice": 2},
        {"group": 4, "group_name": "Deconvnets", "date": "2017-10-17", "order": 2, "choice": 1},
        {"group": 5, "group_name": "Grad-CAM", "date": "2017-10-19", "order": 1, "choice": 1},
        {
            "group": 6,
            "group_name": "Adversarial examples",
            "date": "2017-10-24",
            "order": 1,
            "choice": 1,
        },
    ],
}
PUBLISHED = {**SCHEDULE, "status": "published", "published_at": "2017-10-02T11:09:17-04:00"}
SCHEDULE_LIST = [response_example("The published schedule", PUBLISHED)]
SCHEDULE_CREATE = [response_example("A new draft", SCHEDULE, status=201)]
SCHEDULE_DETAIL = [response_example("A draft", SCHEDULE)]
SCHEDULE_ADJUST = [
    request_example(
        "Move Visualizations to 10/12", {"placements": [{"group": 1, "date": "2017-10-12"}]}
    ),
    response_example(
        "Adjusted",
        {
            **SCHEDULE,
            "total_cost": 0,
            "slots": [
                {**slot, "date": "2017-10-12", "order": 3, "choice": 1}
                if slot["group"] == 1
                else slot
                for slot in SCHEDULE["slots"]
            ],
        },
    ),
]
SCHEDULE_PUBLISH = [
    request_example("Confirmed", {"confirm": True}),
    response_example("Published", PUBLISHED),
]
CHANGES = [
    response_example(
        "A repair after a calendar change",
        {
            "id": 7,
            "kind": "repaired",
            "message": "Calendar change (no class on 2017-10-19): 1 group(s) moved, schedule v3 "
            "published",
            "moves": [
                {"group_id": 5, "group": "Grad-CAM", "from": "2017-10-19", "to": "2017-10-24"}
            ],
            "created_at": "2017-10-16T08:30:00-04:00",
        },
    )
]

SWAP = {
    "id": 1,
    "from_group": 1,
    "from_group_name": "Visualizations",
    "to_group": 5,
    "to_group_name": "Grad-CAM",
    "from_date": "2017-10-12",
    "to_date": "2017-10-19",
    "status": "requested",
    "created_at": "2017-10-05T14:20:00-04:00",
    "decided_at": None,
}
SWAP_LIST = [response_example("Waiting for the other group", SWAP)]
SWAP_CREATE = [
    request_example("Ask Grad-CAM to trade dates", {"to_group": 5}),
    response_example("Requested", SWAP, status=201),
]
SWAP_DECISION = [
    response_example("Accepted by the other group", {**SWAP, "status": "accepted"}),
    response_example(
        "Approved by staff",
        {**SWAP, "status": "approved", "decided_at": "2017-10-06T09:12:00-04:00"},
        name="Approved",
    ),
]

INVITATION = {
    "id": 3,
    "group": 1,
    "group_name": "Visualizations",
    "group_members": ["Ada Lovelace"],
    "invitee": "Alan Turing",
    "invited_by": "Ada Lovelace",
    "status": "pending",
    "created_at": "2017-09-12T10:02:00-04:00",
    "decided_at": None,
}
INVITATION_LIST = [response_example("Waiting for an answer", INVITATION)]
INVITATION_CREATE = [
    request_example("By username", {"username": "student2"}),
    request_example("By the picker's id", {"user_id": 17}, name="By id"),
    response_example("Invited", INVITATION, status=201),
]
INVITATION_DECISION = [
    response_example(
        "Accepted by the invited student",
        {
            **INVITATION,
            "group_members": ["Ada Lovelace", "Alan Turing"],
            "status": "accepted",
            "decided_at": "2017-09-12T18:40:00-04:00",
        },
    ),
    response_example(
        "Withdrawn by the group",
        {**INVITATION, "status": "withdrawn", "decided_at": "2017-09-12T11:00:00-04:00"},
        name="Withdrawn",
    ),
]
