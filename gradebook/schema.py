"""OpenAPI of the gradebook: the CSV bodies as named schemas, and the examples of its endpoints
(used by `@extend_schema` in apis.py), from the seed course (CS 7643 Deep Learning, Fall 2017)
some weeks into the term: twelve reviews due, Lab 2 graded, one group's talk scored."""

from __future__ import annotations

from courseportal.openapi import CsvFile, request_example, response_example


class CanvasGradesCsv(CsvFile):
    """Canvas gradebook import: "Student", "ID", "SIS User ID", "SIS Login ID", "Section"
    exactly as the roster import took them from Canvas's own export (else "Last, First" and the
    username as login), one column per graded item (under Canvas's own "Title (id)" header
    when its gradebook has an assignment of that title); the second row gives "Points
    Possible". An empty cell is no grade yet, which Canvas leaves alone."""


class GradescopeGradesCsv(CsvFile):
    """Gradescope grade sheet: "Name", "Email", "SID" (the SIS id, else the username), then
    per item its score and "<item> - Max Points". An empty cell is no grade yet."""


CANVAS_CSV = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Reviews (courseportal),"
    "Presentation (courseportal),"
    "Lab 2: transposed convolutions (87568490)\r\n"
    "    Points Possible,,,,,12,10,100\r\n"
    '"Hopper, Grace",48213,903000003,ghopper3,CS-7643-A,11,,88\r\n'
    '"Lovelace, Ada",48211,903000001,alovelace1,CS-7643-A,11.5,9,92.5\r\n'
    '"Turing, Alan",48212,903000002,aturing2,CS-7643-O01,12,9,\r\n'
)
GRADESCOPE_CSV = (
    "Name,Email,SID,Reviews,Reviews - Max Points,Presentation,Presentation - Max Points,"
    "Lab 2: transposed convolutions,Lab 2: transposed convolutions - Max Points\r\n"
    "Grace Hopper,student3@example.edu,student3,11,12,,10,88,100\r\n"
    "Ada Lovelace,student1@example.edu,student1,11.5,12,9,10,92.5,100\r\n"
    "Alan Turing,student2@example.edu,student2,12,12,9,10,,100\r\n"
)

COLUMNS = [
    {"key": "reviews", "title": "Reviews", "points_possible": 12.0},
    {"key": "presentation", "title": "Presentation", "points_possible": 10.0},
    {
        "key": "convlab:transposed-convolutions",
        "title": "Lab 2: transposed convolutions",
        "points_possible": 100.0,
    },
]
STUDENT_DETAIL = [
    response_example(
        "Ada Lovelace: a late review, a scored talk, a late lab",
        {
            "columns": COLUMNS,
            "student": {
                "user_id": 3,
                "username": "student1",
                "name": "Ada Lovelace",
                "email": "student1@example.edu",
                "scores": {
                    "reviews": 11.5,
                    "presentation": 9.0,
                    "convlab:transposed-convolutions": 92.5,
                },
                "items": [
                    {
                        "column": "reviews",
                        "name": "Review of “Visualizing and Understanding Convolutional "
                        "Networks” (2017-10-12)",
                        "raw_score": 1.0,
                        "max_score": 1.0,
                        "late_days": 1,
                        "penalty": 0.5,
                        "final_score": 0.5,
                        "note": "late",
                    },
                    {
                        "column": "presentation",
                        "name": "Presentation (Visualizations)",
                        "raw_score": 9.0,
                        "max_score": 10.0,
                        "late_days": 0,
                        "penalty": 0.0,
                        "final_score": 9.0,
                        "note": "Clear deconvnet walkthrough; ran two minutes over.",
                    },
                    {
                        "column": "convlab:transposed-convolutions",
                        "name": "Lab 2: transposed convolutions",
                        "raw_score": 97.5,
                        "max_score": 100.0,
                        "late_days": 1,
                        "penalty": 5.0,
                        "final_score": 92.5,
                        "note": "best of 2 graded attempt(s): attempt 2",
                    },
                ],
            },
        },
    )
]

GROUP = {
    "group": 1,
    "name": "Visualizations",
    "members": ["student1", "student2"],
    "score": 9.0,
    "comment": "Clear deconvnet walkthrough; ran two minutes over.",
}
PRESENTATION_LIST = [
    response_example("A scored group", GROUP),
    response_example(
        "A group not scored yet",
        {
            "group": 5,
            "name": "Grad-CAM",
            "members": ["student9", "student10"],
            "score": None,
            "comment": "",
        },
        name="Not scored",
    ),
]
PRESENTATION_SET = [
    request_example(
        "Score the Visualizations group",
        {"group": 1, "score": 9, "comment": GROUP["comment"]},
    ),
    response_example("Scored", GROUP),
]

POLICY = {"review_points": 1.0, "late_review_fraction": 0.5, "presentation_points": 10.0}
POLICY_READ = [response_example("The defaults", POLICY)]
POLICY_UPDATE = [
    request_example("Presentations out of 20", {"presentation_points": 20}),
    response_example("Updated", {**POLICY, "presentation_points": 20.0}),
]
