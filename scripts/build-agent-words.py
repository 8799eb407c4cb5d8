#!/usr/bin/python3
"""Writes src/registry/agent_words.txt, the words agent topic names are made of
(doc/registry.md), from the EFF large word list as Debian's diceware package ships it
(apt-get install diceware; the EFF list: CC-BY-3.0, Electronic Frontier Foundation, 2016).
The EFF chose its words to be memorable and left out vulgar and offensive ones; this keeps
those of 3 to 7 plain lowercase letters, so a name reads and says easily. Run it again only
to change the selection; the file is committed.

    scripts/build-agent-words.py [EFF_LIST] [OUTPUT]"""

import re
import sys

EFF = "/usr/lib/python3/dist-packages/diceware/wordlists/wordlist_en_eff.txt"
OUT = "src/registry/agent_words.txt"


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else EFF
    out = sys.argv[2] if len(sys.argv) > 2 else OUT
    words = set()
    with open(source) as f:
        for line in f:
            word = line.split()[-1] if line.strip() else ""
            if re.fullmatch(r"[a-z]{3,7}", word):
                words.add(word)
    with open(out, "w") as f:
        f.write("# Agent topic name words: the EFF large word list (CC-BY-3.0, Electronic Frontier\n"
                "# Foundation, 2016; Debian package diceware), its words of 3 to 7 lowercase\n"
                "# letters. Written by scripts/build-agent-words.py; one word a line.\n")
        for w in sorted(words):
            f.write(w + "\n")
    print(f"{len(words)} words in {out}")


if __name__ == "__main__":
    main()
