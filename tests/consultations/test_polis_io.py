"""Reading Pol.is export folders: lenient to the published variations, clear about real errors."""
from __future__ import annotations

import numpy as np
import pytest

from consultations.polis_io import (
    PolisFormatError,
    read_comments,
    read_conversation,
    read_participants_votes,
    read_votes_csv,
)

from .polis_data import POLIS_DIR, conversation, needs_polis

COMMENTS = ("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
            "1,x,0,5,1,0,1,Shown\n2,x,1,5,0,0,-1,Hidden\n3,x,2,6,0,0,0,\"Not yet, moderated\"\n")


def write(folder, name, text, encoding="utf-8"):
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))


def test_comments_keep_the_moderation_state_and_hidden_ones_are_left_out(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    write(tmp_path, "votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,7,1\n2,x,1,7,-1\n")
    conv = read_conversation(tmp_path)
    assert {c.id: c.moderated for c in conv.comments.values()} == {0: 1, 1: -1, 2: 0}
    assert conv.comments[2].text == "Not yet, moderated"
    assert conv.moderated_out == {1}  # Pol.is's mod-out: only -1; unmoderated (0) stay in
    assert conv.matrix.statements == (0, 1, 2) and conv.votes_source == "votes.csv"


def test_the_latest_vote_counts_whatever_the_file_order(tmp_path):
    write(tmp_path, "votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n"
                                 "20,x,0,7,-1\n10,x,0,7,1\n15,x,1,7,0\n")
    m = read_votes_csv(tmp_path)
    assert np.array_equal(m.to_dense(), [[-1, 0]])


def test_byte_order_mark_crlf_spaces_and_float_votes_are_accepted(tmp_path):
    write(tmp_path, "participants-votes.csv",
          "\ufeffparticipant, xid ,group-id,n-comments,n-votes,n-agree,n-disagree,3,5\r\n"
          "1,abc,0,0,2,1,1,1.0,-1\r\n2,,,0,1,0,0,,0\r\n\r\n")
    m, groups = read_participants_votes(tmp_path)
    assert m.participants == (1, 2) and m.statements == (3, 5)
    assert np.array_equal(m.to_dense(), [[1, -1], [np.nan, 0]], equal_nan=True)
    assert groups == {1: 0}  # empty group-id: Pol.is did not cluster participant 2


def test_without_votes_csv_the_matrix_comes_from_participants_votes(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    write(tmp_path, "participants-votes.csv",
          "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n4,1,0,2,1,0,1,,0\n")
    conv = read_conversation(tmp_path)
    assert conv.votes_source == "participants-votes.csv" and conv.polis_groups == {4: 1}
    assert conv.matrix.n_votes == 2


@pytest.mark.parametrize("text, message", [
    ("timestamp,datetime,comment-id,voter-id,vote\n1,x,0,7,2\n", r"line 2: vote '2' is not 1, 0 or -1"),
    ("timestamp,datetime,comment-id,voter-id,vote\n1,x,0,7,1\n1,x,zero,7,1\n", r"line 3: comment-id 'zero'"),
    ("timestamp,datetime,comment-id,vote\n1,x,0,1\n", "no 'voter-id' column"),
    ("", "empty file"),
])
def test_a_broken_votes_file_names_the_file_and_line(tmp_path, text, message):
    write(tmp_path, "votes.csv", text)
    with pytest.raises(PolisFormatError, match=message) as err:
        read_votes_csv(tmp_path)
    assert "votes.csv" in str(err.value)


def test_a_folder_without_votes_is_refused(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    with pytest.raises(PolisFormatError, match="neither votes.csv nor participants-votes.csv"):
        read_conversation(tmp_path)


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(PolisFormatError, match="not a folder"):
        read_conversation(tmp_path / "nope")


def test_text_that_is_not_utf8_is_refused_with_the_file_name(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS.replace("Shown", "Café"), encoding="latin-1")
    with pytest.raises(PolisFormatError, match="comments.csv"):
        read_comments(tmp_path)


@needs_polis
@pytest.mark.parametrize("name", ["15-per-hour-seattle", "brexit-consensus",
                                  "canadian-electoral-reform", "london.youth.policing"])
def test_votes_csv_with_the_latest_vote_gives_pol_is_own_matrix(name):
    from_votes = read_votes_csv(POLIS_DIR / name)
    exported, _ = read_participants_votes(POLIS_DIR / name)
    rows = [from_votes.participants.index(p) for p in exported.participants]
    cols = [from_votes.statements.index(s) for s in exported.statements]
    assert np.array_equal(from_votes.to_dense()[rows][:, cols], exported.to_dense(), equal_nan=True)


@needs_polis
def test_bowling_green_has_no_votes_csv_and_is_read_from_participants_votes():
    conv = conversation("american-assembly.bowling-green")
    assert conv.votes_source == "participants-votes.csv"
    assert conv.matrix.shape == (2031, 896) and len(conv.moderated_out) == 289
    assert len(conv.polis_groups) == 1581 and conv.summary["groups"] == "2"
