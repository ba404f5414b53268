"""Word error rate: (substitutions + deletions + insertions) / reference words, from a word-level
Levenshtein alignment. Used by the example's application test and by its integration test."""
import re

# Spellings the recogniser's dictionary and the LibriVox transcriptions disagree on; mapped to
# one form on both sides, as Whisper's English normaliser does, so that they are not errors.
_SAME = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint"}


def words(text: str) -> list:
    """Lower case, sentence markers (<s>, </s>) and punctuation dropped, spellings unified."""
    text = re.sub(r"</?s>", " ", text.lower())
    return [_SAME.get(w, w) for w in re.findall(r"[a-z0-9']+", text)]


def edit_distance(reference: list, hypothesis: list) -> int:
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1,                  # deletion
                               current[j - 1] + 1,               # insertion
                               previous[j - 1] + (ref != hyp)))  # substitution or match
        previous = current
    return previous[-1]


def wer(reference: str, hypothesis: str) -> tuple:
    """(errors, reference word count) for one utterance."""
    ref = words(reference)
    return edit_distance(ref, words(hypothesis)), len(ref)


def librivox_transcriptions(path: str) -> dict:
    """The `transcription` file of pocketsphinx-testdata: '<s> text </s> (fileid)' per line."""
    out = {}
    with open(path) as f:
        for line in f:
            match = re.match(r"\s*(.*?)\s*\(([^()]+)\)\s*$", line)
            if match:
                out[match.group(2)] = match.group(1)
    return out
