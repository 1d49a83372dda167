import pytest

from api.chat.schemas import BotMessage, Button
from api.sms import choices
from api.sms.twiml import answer_text

THREE = [
    Button(title="Doctor", payload='/choose{"choice": "doctor"}'),
    Button(title="Psychologist", payload='/choose{"choice": "psychologist"}'),
    Button(title="Not now", payload="/deny"),
]


@pytest.mark.parametrize(
    ("count", "prompt"),
    [
        (1, "Reply 1."),
        (2, "Reply 1 or 2."),
        (3, "Reply 1, 2 or 3."),
        (4, "Reply 1, 2, 3 or 4."),
        (7, "Reply a number from 1 to 7."),
    ],
)
def test_the_prompt_says_which_numbers(count: int, prompt: str) -> None:
    assert choices.prompt(count) == prompt


def test_buttons_become_numbered_lines() -> None:
    assert choices.numbered(THREE) == "1 Doctor\n2 Psychologist\n3 Not now\nReply 1, 2 or 3."


@pytest.mark.parametrize(
    ("reply", "index"),
    [("1", 0), (" 2 ", 1), ("3.", 2), ("2)", 1), ("１", 0)],  # full-width
)
def test_a_number_picks_its_button(reply: str, index: int) -> None:
    assert choices.pick(reply, THREE) == THREE[index].payload


@pytest.mark.parametrize("reply", ["0", "4", "12", "1 2", "one", "2 please", "", "-1"])
def test_anything_else_is_text_for_the_assistant(reply: str) -> None:
    assert choices.pick(reply, THREE) is None


def test_no_buttons_no_choice() -> None:
    assert choices.pick("1", []) is None


def test_an_answer_with_buttons_in_several_messages() -> None:
    text, buttons = answer_text(
        [
            BotMessage(text="Who is it for?", buttons=THREE[:2]),
            BotMessage(text=None, custom={"type": "card"}),
            BotMessage(text="  ", buttons=[THREE[2], Button(title=" ", payload="/x")]),
        ]
    )
    assert buttons == THREE
    assert text == "Who is it for?\n1 Doctor\n2 Psychologist\n3 Not now\nReply 1, 2 or 3."
