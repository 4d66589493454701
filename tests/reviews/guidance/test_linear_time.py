"""No text makes the analyzer slow: its time grows with the text's length, never its square.

Each pathological text (100 KB; 1 MB for "Fig. Fig. ...", whose old cost grew slowly) is analysed
whole and as a review form, in a subprocess allowed 5 s of CPU (RLIMIT_CPU): the analyzer needs
well under 1 s for any of them (bench/reviews.py prints the times), while the quadratic code of
issue #14 needed from 8 s to several minutes for the first ten cases below and was killed. The
guard is CPU time, not a wall-clock time, and generous: it cannot flake on a loaded machine.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CPU_SECONDS = 5
SIZE = 100_000

# Runs in a fresh interpreter: the texts come on stdin, and the kernel stops the process once it
# has used CPU_SECONDS of CPU.
CHILD = f"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file when stopped
resource.setrlimit(resource.RLIMIT_CPU, ({CPU_SECONDS}, {CPU_SECONDS}))
from reviews.guidance import analyze, analyze_review
case = json.load(sys.stdin)
analyze(case["text"])
analyze_review(**case["form"])
print("done")
"""


def run(unit: str, size: int = SIZE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def case(text: str, **form: str) -> dict[str, object]:
    """The text analysed whole, and a form (by default the text as strengths and weaknesses)."""
    return {"text": text, "form": form or {"strengths": text, "weaknesses": text}}


CASES = {
    # Quadratic before: a sentence end was looked for from every character of the run.
    "full stops": case(run(".")),
    "exclamation marks": case(run("!")),
    "question marks": case(run("?")),
    "question and exclamation marks": case(run("?!")),
    # Quadratic before: every start of a word was looked up, and remembered (hence a different
    # word in each field).
    "one long word": case(run("ж"), summary=run("з"), strengths=run("и"), weaknesses=run("к")),
    # Quadratic before: each word, or each clause, of a sentence against all its cues.
    "one cue repeated": case(run("trivial ")),
    "quoted cues": case(run('"bad bad" ')),
    "praise and criticism in clauses": case(run("good; bad; ")),
    "praise but criticism": case(run("well-written but lacks ")),
    # Quadratic before: the word before a full stop was read from the start of the sentence.
    "abbreviations": case(run("Fig. ", 1_000_000), weaknesses=run("Fig. ", 1_000_000)),
    # Never quadratic; kept so that they stay linear.
    "ellipses": case(run("…")),
    "spaces": case(run(" ")),
    "white space": case(run(" \t\u00a0")),
    "newlines": case(run("\n")),
    "carriage returns and newlines": case(run("\r\n")),
    "full stop, space": case(run(". ")),
    "question mark, space": case(run("? ")),
    "full stop, quote, space": case(run('." ')),
    "quotes": case(run('"')),
    "curly quotes": case(run("“‘’”")),
    "brackets": case(run("([{")),
    "opening quote and a word": case(run('"abcd ')),
    "a hyphenated word": case(run("a-")),
    "digits": case(run("7")),
    "one word a line": case(run("a\n")),
}


@pytest.mark.parametrize("name", CASES)
def test_the_analyzer_is_linear_in_its_text(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=json.dumps(CASES[name]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,  # only if the machine starves the process of CPU altogether
        check=False,
    )
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        pytest.fail(f"{name}: still running after {CPU_SECONDS} s of CPU")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
