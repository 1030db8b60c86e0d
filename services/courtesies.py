"""A message's question with its courtesies set aside: greetings, preambles, thanks, sign-offs.

Patients write to the clinic as to a person ("Hi! Quick question: do you open on Saturdays?
Thanks in advance"). The courtesies carry no topic, yet they weigh on the question's
embedding and lexical overlap, and they make a follow-up ("Hello again, and on Sundays?")
look like a new question; search and quote read the question without them. A message that is
nothing but courtesies ("Hello!", "Thanks, that's all") is small talk: answered as such,
never searched. The conversation keeps what was typed.
"""

import re
from collections.abc import Collection
from enum import StrEnum

_GREETING = (
    r"(?:hi|hiya|hello|hey|howdy|greetings|good (?:morning|afternoon|evening)"
    r"|dear (?:clinic|team|doctor|sir or madam|sir|madam|all|reception|receptionist|staff)"
    r"|to whom it may concern)"
    r"(?: (?:there|again|all|everyone|team|folks))?"
)
# A name: a greeting's addressee ("Hi Anna,", "Hello Dr. Patel!"), a closing's signature.
_NAME = r"(?:(?:dr\.?|doctor|nurse|mrs?\.?|ms\.?|miss) ?)?(?-i:[A-Z])[\w'-]*(?: (?-i:[A-Z])[\w'-]*)?"
_THANKS = (
    r"(?:(?:many |a (?:lot|million) of )?thanks|thank you|thank u|thx|cheers|ta|much appreciated"
    r"|(?:i )?appreciate (?:it|that|this|your help)|(?:with )?(?:kind |best |warm )?regards|best wishes"
    r"|all the best|take care|have a (?:nice|good|great) day)"
    r"(?: (?:so|very) much| a lot| again| in advance"
    r"| for (?:your|the|that|this) (?:help|time|answer|reply|information|info))*"
)
# Thanks that need no full stop before them at a message's end ("do you open sundays thanks").
_PLAIN_THANKS = r"(?:(?:many )?thanks|thank you(?: (?:so|very) much)?|thx)(?: in advance)?"
FAREWELL = r"(?:good ?bye|bye(?: for now)?|that'?s all(?: for now)?|that is all)"
_PREAMBLE = (
    r"(?:(?:i'?m )?sorry to (?:bother|trouble) you|excuse me|sorry|please help(?: me)?|help me"
    r"|(?:just )?(?:a )?quick question|(?:i )?(?:have|got) a (?:quick |short |small )?question(?: for you)?"
    r"|one more (?:thing|question)|another question|(?:i'?m |i was |just )?wondering"
    r"|i hope you can help(?: me)?|(?:can|could|would) you (?:please )?(?:help(?: me)?|tell me|let me know)"
    r"|please (?:tell me|let me know)|i(?:'d| would) like to know|i want(?:ed)? to (?:know|ask)"
    r"|(?:can|may|could) i ask(?: you)?(?: something)?)"
    r"(?:,? but)?"
    # "... tell me if you open on Sundays": the question is what follows.
    r"(?: (?:if|whether))?"
)
_EMOTICON = r"(?::-?[)D(]|;-?\)|<3|[\U0001F642\U0001F60A\U0001F44D\U0001F64F])"  # :) ;) <3 🙂 😊 👍 🙏
# A colon opening a smiley (":)") is no mark.
_SPACE_OR_MARK = r"(?:[\s,.!;~\-]|:(?!-?[)(D]))"
_MARK = rf"{_SPACE_OR_MARK}*(?:[,.!;]|:(?!-?[)(D])){_SPACE_OR_MARK}*"

_LEADING = re.compile(
    rf"^\s*(?:(?P<greeting>{_GREETING}(?: {_NAME}(?=\s*[,!.:;]))?)(?:{_SPACE_OR_MARK}+|$)"
    rf"|(?P<thanks>{_THANKS})(?:{_MARK}|$)"
    rf"|(?P<farewell>{FAREWELL})(?:{_MARK}|$)"
    rf"|(?P<preamble>{_PREAMBLE})(?:{_SPACE_OR_MARK}+|$)"
    rf"|{_EMOTICON}{_SPACE_OR_MARK}*)",
    re.IGNORECASE,
)
# A closing stands apart from the question (after a mark, or first), and takes its signature
# with it ("Thanks, Maria", "Kind regards, John Smith").
_TRAILING = re.compile(
    rf"(?:(?:^|(?<=[,.!?;:~\-)]))\s*(?:(?P<thanks>{_THANKS})(?:,? {_NAME})?|(?P<farewell>{FAREWELL}))"
    rf"|(?<=\w)\s+(?P<plain_thanks>{_PLAIN_THANKS})"
    rf"|\s*{_EMOTICON})[\s.!,:;~]*$",
    re.IGNORECASE,
)


class SmallTalk(StrEnum):
    greeting = "greeting"
    thanks = "thanks"
    farewell = "farewell"


def set_aside(message: str) -> tuple[str, set[SmallTalk]]:
    """The question a message asks, without its courtesies, and which kinds of courtesy it held."""
    kinds: set[SmallTalk] = set()
    text = " ".join(message.split())  # no run of spaces for the patterns to scan again and again
    while text:
        match = _LEADING.match(text)
        if match is None or not match.group(0):
            break
        kinds |= _kinds(match)
        text = text[match.end() :]
    while text:
        match = _TRAILING.search(text)
        if match is None:
            break
        kinds |= _kinds(match)
        text = text[: match.start()].rstrip(" ,;:~-")
    return text.strip(), kinds


def question_of(message: str) -> str:
    """What a message asks, without greetings, preambles, thanks or sign-offs (may be empty)."""
    return set_aside(message)[0]


def small_talk_reply(kinds: Collection[SmallTalk], clinic_name: str) -> str | None:
    """The reply to a message that asks nothing and held these courtesies; None: it held none."""
    if not kinds:
        return None
    if SmallTalk.thanks in kinds:
        return "You're welcome." + (
            " Goodbye." if SmallTalk.farewell in kinds else " Is there anything else I can help with?"
        )
    if SmallTalk.farewell in kinds:
        return "Goodbye, and take care."
    return f"Hello! I answer questions about {clinic_name} from its documents. What would you like to know?"


def _kinds(match: re.Match[str]) -> set[SmallTalk]:
    found = match.groupdict()
    kinds = {kind for kind in SmallTalk if found.get(kind.value)}
    if found.get("plain_thanks"):
        kinds.add(SmallTalk.thanks)
    if found.get("preamble"):
        kinds.add(SmallTalk.greeting)  # "Quick question:" alone invites the question
    return kinds
