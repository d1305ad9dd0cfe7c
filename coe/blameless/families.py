"""The families of blame, as patterns over a sentence with `{P}` where the person stands.

A family is a kind of verdict, not a list of phrasings: each pattern is a predicate of that kind (a
fault, a punishment, an idiom of blame...) with the slot its target fills, and the slot is filled by
any reading of `people.spans` that `people.judge` accepts: names, roles, teams, indefinite persons,
pronouns. So "the outage is on Jenny", "... on the platform team" and "... on whoever merged it" are
one pattern. Systems in the same slot ("the health check failed to detect", "the fault lies in the
retry logic") are not persons and raise nothing; nor does the first person ("we missed the alert").

Each pattern: (family, rule id, regex, strong). `strong` patterns accept a weak person (an unknown
capitalised word opening the sentence), because only people are said to botch or be fired; the rest,
whose verbs a system can also take ("failed to", "skipped", "never ran"), need a known person.
"""

from coe.blameless import engine
from coe.blameless.rules import COUNTERFACTUAL_PERSON, FAULT_BLAME_PERSON, JUDGEMENT, PERSON_BLAME_VERB

_POSS = r"(?:'s|')"
_ADV = (
    r"(?:\s+(?:\w+ly|just|also|again|then|still|even|totally|really|basically|simply|kind\s+of|sort\s+of|kinda|sorta|"
    r"had|has|must\s+have|might\s+have|may\s+have|probably|apparently|went\s+and|went\s+ahead\s+and))*"
)
_REL = (
    r"(?:,\s*[^,;]{1,40},|\s+\([^)]{0,40}\)|,?\s+who(?:\s+[^,;\s]+){0,5}?|\s+(?:is|was)\s+the\s+one\s+who"
    r"|\s*(?:are|were|'re)\s+the\s+ones?\s+who|\s+on\s+(?:call|shift|duty)|\s+(?:at|from|in|of|on)\s+(?:the\s+)?[\w-]+(?:\s+(?:side|team|shift))?)?"
)
_BE = r"(?:is|was|are|were|'s|'re|has\s+been|had\s+been)"
_HARM = (
    r"outage|downtime|incident|failure|mess|data\s+loss|loss|leak|breach|breakage|break|bug|regression|"
    r"corruption|damage|delay|problem|issue|error|mistake|disaster|this|that|it|everything|what\s+happened"
)
_MODAL = (
    r"(?:should|must|needs?\s+to|has\s+to|have\s+to|will|would|ought\s+to|deserves?\s+to|is\s+going\s+to)"
)
_PUNISHED = (
    r"put\s+on\s+(?:a\s+)?(?:pip|performance\s+(?:improvement\s+)?plan|probation|notice)|"
    r"(?:a\s+)?(?:formal|written|final)\s+(?:warning|reprimand)|"
    r"fired|sacked|retrained|re-?trained|disciplined|reprimanded|punished|demoted|suspended|written\s+up|"
    r"let\s+go|coached|dismissed|terminated|warned|banned|benched|replaced|supervised|removed\s+from|"
    r"taken\s+off|kicked\s+off|sent\s+(?:back\s+)?to\s+(?:[\w-]+\s+){0,2}?(?:training|onboarding|bootcamp)|held\s+(?:responsible|accountable)"
)
_IDIOM = (
    r"drop(?:s|ped)?\s+the\s+ball|screw(?:s|ed)?\s+(?:up|us|things|the\s+pooch|it)|screwed|"
    r"mess(?:es|ed)?\s+(?:up|things|it|the\s+\w+)|shot\s+(?:themselves|himself|herself)\s+in\s+the\s+foot|botch(?:es|ed)?|bungled?|fumbled?|goofed|blew\s+(?:it|up|the\s+[\w-]+)\b(?<!dust)(?<!whistle)(?<!lid)|"
    r"blown\s+it|blew\s+away\s+(?:the|our|all|prod|production)\b|fat-?finger(?:ed|s)?|nuked|made\s+a\s+(?:mess|hash|boneheaded|stupid|dumb)|"
    r"broke\b(?!\s+(?:down|into|up|out|through|even|ground|the\s+news|the\s+work))|"
    r"f[u*]+(?:c?k|\*)?ed\s+up|took\s+(?:his|her|their|its)\s+eyes?\s+off\s+the\s+ball|went\s+rogue|"
    r"tank(?:ed|s)\s+(?:the|our|a|prod|production)\b|dropped\s+a\s+(?:clanger|bollock)|brick(?:ed|s)?\s+(?:the|our|a|prod)\b|"
    r"did\s+a\s+number\s+on|bork(?:ed|s)\b|put\s+(?:his|her|their)\s+foot\s+in\s+it|yolo(?:'d|ed)|"
    r"rm\s+-rf'?d|speedran|cowboy(?:ed)?\s+(?:the|it|a)\b|butcher(?:ed|s)|trashed|torched|tanked\b|ruined|wrecked|threw\s+.{1,30}?\s+under\s+the\s+bus|dropped\s+out\s+on|"
    r"took\s+down\s+(?:prod|production|the\s+\w+)|(?:deleted|dropped|wiped|truncated)\s+the\s+(?:prod|production|wrong|live)\b|"
    r"(?:took|brought|knocked)\s+(?:down|out|over)\s+(?:(?:the|our|all\s+of)\s+)?(?:[\w-]+\s+)?(?:prod|production|checkout|"
    r"search|payments|login|auth|sso|dns|staging|site|api|cluster|database|db|service|services|servers?|website|app|platform|network|"
    r"region|everything)\b|mixed\s+(?:[\w-]+\s+){0,3}?up\b|"
    r"(?:pushed|deployed|ran|applied|targeted|used|typed|picked|deleted|dropped|wiped|restarted|edited|"
    r"changed)(?:\s+[\w-]+){0,3}?\s+(?:the|a)\s+wrong\b|(?:pushed|shipped|deployed|merged|committed)\s+"
    r"(?:a|the|some)\s+(?:broken|bad|buggy|untested)\b|wiped\s+the\b|keeps?\s+breaking|kept\s+breaking"
)
_PERFORMANCE = (
    r"(?:was|were|is|are|got)\s+(?:\w+\s+)?(?:too\s+slow|slow|asleep|sleeping|afk|distracted|clueless|"
    r"half\s+asleep|out\s+of\s+(?:his|her|their|its)\s+depth|not\s+(?:paying\s+attention|focused|careful|"
    r"watching|looking|listening)|(?:too\s+)?lazy|unresponsive|nowhere\s+to\s+be\s+(?:found|seen))"
    r"|(?:wasn't|weren't)\s+(?:watching|paying\s+attention|focused|looking|careful|listening)"
    r"|(?:didn't|did\s+not|couldn't|could\s+not|can't|don't|doesn't|never)\s+(?:even\s+)?(?:bother|be\s+bothered|"
    r"pay\s+(?:any\s+|much\s+|enough\s+|close\s+)?attention|care|look\s+at)"
    r"|(?:ignored|overlooked|disregarded|missed|misses|ignores|brushed\s+off|sat\s+on)(?=\s+(?:the|three|two|both|all|"
    r"every|an?|\d+|multiple|several|alerts|pages|warnings|alarms|our|their|his|her|it|them|these|those)\b)"
    r"|(?:keeps?|kept)\s+(?:on\s+)?(?:ignoring|missing|forgetting|skipping|dropping|messing|flailing|fumbling|"
    r"guessing|panicking|thrashing)|rushed\s+the\b|took\s+forever|dragged\s+(?:his|her|their)\s+feet|barely\s+(?:glanced|looked|read)"
    r"|(?:had|has|have)\s+no\s+(?:idea|clue)\b|(?:didn't|did\s+not|don't|doesn't|do\s+not)\s+know\s+what\s+(?:\w+\s+"
    r"(?:is|was|were|are)|\w+'s|\w+'re)\s+doing|responded\s+late|fell\s+asleep|slept\s+through|sleeping\s+on\s+the\s+job"
    r"|asleep\s+at\s+the\s+(?:wheel|switch)|(?:did|does)\s+not\s+take\s+.{1,40}?seriously|ignored\s+it"
    r"|(?:hasn't|has\s+not|haven't|didn't|did\s+not|never)\s+(?:acked|acknowledged|answered|responded|replied)"
)
_OMITTED = (
    r"(?:forg[eo]t(?:s|ten)?|failed\s+to(?!\s+(?:over|back|receive|get|hear|be\b))|neglected|omitted|skipped|bypassed|"
    r"was\s+supposed\s+to|"
    r"(?:didn't|did\s+not|never|did\s+n't|not)\s+(?:even\s+|actually\s+|really\s+|bother\s+to\s+)?(?:check|test|tested|follow|read|look|notify|"
    r"answer|do|bother|verify|review|run|escalate|respond|update|renew|remove|add|tell|inform|ask|confirm|"
    r"double-check|think|reply|ack|acknowledge|monitor|watch|validate|wait|use|open|clean|rotate|"
    r"checked|followed|ran|looked|reviewed|verified|updated)\b)(?!\s+(?:nothing|none|anything)\b)"
)
_PASSIVE = (
    r"broken|broke|caused|corrupted|ignored|botched|taken\s+down|misconfigured|missed|overlooked|leaked|rushed|"
    r"deleted|dropped|drop|messed\s+up|screwed\s+up|flooded|ruined|introduced|blocked|blown|targeted|"
    r"exposed|allowed\s+to\s+expire|let\s+to\s+expire|wrecked|bungled|mishandled|neglected|forgotten|"
    r"skipped|triggered|crashed|killed|destroyed|wiped|nuked"
)
_WORK_HARM = (
    r"(?:change|commit|script|typo|push|deploy|config|patch|pr|edit|command)\s+"
    r"(?:nuked|broke|took\s+down|wiped|caused|killed|corrupted|deleted|ruined|wrecked|crashed)\b"
)
_FLOUTED = (
    r"(?:against|despite|in\s+defiance\s+of|contrary\s+to|in\s+violation\s+of|ignoring)\s+(?:every|all|explicit|"
    r"repeated|clear|the|our|multiple)\s+(?:[\w-]+\s+)?(?:guidelines?|rules?|polic(?:y|ies)|process|runbook|"
    r"warnings?|advice|instructions?|checklist|objections?|best\s+practices?)\b"
)
_CAUSE_SUBJECT = (
    r"(?:this(?:\s+(?:one|mess|outage|incident|failure|disaster|screw-?up|breakage))?|that(?:\s+one)?|it|the\s+whole\s+thing|everything|all\s+of\s+this|the\s+(?:\w+\s+)?(?:outage|"
    r"incident|failure|downtime|mistake|mess|issue|problem|error|breakage|data\s+loss|deploy|release))"
)


FB, PBV, CF, JG = FAULT_BLAME_PERSON, PERSON_BLAME_VERB, COUNTERFACTUAL_PERSON, JUDGEMENT
PATTERNS: tuple[engine.Pattern, ...] = tuple(
    engine.compile_pattern(family, rule, pattern, strong, *gate)
    for family, rule, pattern, strong, *gate in (
        # fault, possessives and "on X"
        (
            "fault",
            FB,
            rf"{{P}}{_POSS}\s+(?:own\s+)?(?:fault|mistake|error|typo|screw-?up|blunder|doing|bad\b|failure\s+to|oversight|lapse|outage\b|"
            r"mess\b|disaster\b)(?!\s+(?:messages?|logs?|rates?|budgets?|codes?|handling|pages?))",
            True,
        ),
        ("fault", FB, r"\b(?:his|her|their)\s+(?:own\s+)?(?:fault|doing)\b", True),
        (
            "fault",
            FB,
            r"(?<=is\s|as\s|'s\s|re\s)(?:his|her|their)\s+(?:own\s+)?"
            r"(?:mistake|screw-?up|blunder|mess|error|oversight)\b(?!\s+(?:rate|budget|message|log|code)s?\b)"
            rf"|\b(?:they're|they\s+are|they\s+were|he's|she's)\s+the\s+ones?\s+who\s+(?:\w+ly\s+|just\s+)?(?:{_IDIOM}|caused)",
            True,
        ),
        (
            "fault",
            FB,
            r"\b(?:fault|failure|mistake)\s+(?:\w+\s+)?(?:lies|lay|is|was|rests|belongs|sits|goes)(?:\s+\w+ly)?\s+(?:with|to|on)\s+{P}",
            True,
        ),
        (
            "fault",
            FB,
            rf"\b(?:the\s+)?fault\s+of\s+{{P}}|\bfault\s+(?:is|was)\s+(?:the\s+)?{{P}}{_POSS}",
            True,
        ),
        ("fault", FB, rf"{{P}}{_REL}\s+{_BE}\s+(?:\w+\s+)?at\s+fault\b", True),
        ("fault", FB, rf"(?:whose\s+fault\?|^\W*fault:|(?<=fault\s)but)\s*{{P}}{_POSS}?(?=[\s.,!]|$)", True),
        (
            "fault",
            FB,
            rf"\b{_CAUSE_SUBJECT}(?:\s+{_BE}|'s)(?:\s+(?:all|entirely|squarely|totally|100%|clearly|fully))*\s+on\s+{{P}}"
            r"(?!'s|')",  # not "on the platform team's roadmap"
            True,
        ),
        ("fault", FB, rf"\bon\s+{{P}}{_POSS}\s+head\b", True),
        ("responsibility", FB, r"\b(?:because\s+of|due\s+to)\s+{P}(?=\s*(?:[.;!?]|$))", True),
        (
            "fault",
            FB,
            rf"\b{_CAUSE_SUBJECT}\s+{_BE}(?:\s+(?:all|entirely|squarely|totally|clearly|fully|\w+ly))*\s+{{P}}{_POSS}\s+"
            r"(?:own\s+)?(?:responsibility|mess|problem)\b",
            True,
        ),
        (
            "punishment",
            FB,
            rf"{{P}}{_REL}\s+{_MODAL}\s+(?:\w+\s+)?(?:go\s+(?:back\s+)?through|attend|take|redo|repeat|retake)\s+"
            r"(?:[\w-]+\s+){0,3}?(?:training|onboarding|course|bootcamp)\b",
            True,
        ),
        (
            "fault",
            FB,
            rf"{{P}}{_REL}\s+made\s+(?:a|an|the)\s+(?:\w+\s+)?(?:mistake|error|blunder|typo)",
            True,
        ),
        (
            "fault",
            FB,
            r"\b(?:mistake|error|blunder|typo)s?\s+(?:\w+\s+)?(?:made|committed)\s+by\s+{P}",
            True,
        ),
        ("fault", FB, rf"\b{_CAUSE_SUBJECT}(?:\s+{_BE}|'s)\s+(?:all\s+|\w+ly\s+)?down\s+to\s+{{P}}", True),
        (
            "responsibility",
            FB,
            r"\b(?:traces?|traced)\s+(?:back\s+)?to\s+{P}|\b(?:comes?|came|boils?|boiled|goes|went|leads?|led)\s+"
            r"(?:back|down)\s+to\s+{P}",
            True,
        ),
        (
            "fault",
            FB,
            rf"\b(?:his|her|their)\s+{_WORK_HARM}|{{P}}(?:'s|')\s+{_WORK_HARM}",
            True,
        ),
        (
            "blame",
            FB,
            r"{P}(?:\s+\w+){0,2}?\s+(?:take|takes|took|taking)\s+the\s+fall\b|\bscapegoat|\bfall\s+guy\b",
            True,
        ),
        ("blame", FB, r"{P}(?:\s+\w+){0,3}?\s+(?:should|must|ought\s+to)\s+be\s+ashamed\b", True),
        # blame
        (
            "blame",
            FB,
            r"(?<!git\s)(?<!git-)\bblam(?:e|es|ed|ing)\s+{P}(?!\s+(?:says|view|page|output|shows))",
            True,
        ),
        ("blame", FB, rf"{{P}}{_REL}\s+{_BE}\s+(?:\w+\s+)?(?:the\s+ones?\s+)?to\s+(?:be\s+)?blamed?\b", True),
        ("blame", FB, rf"{{P}}{_REL}\s+(?:should|must|can|will|could)\s+be\s+blamed\b", True),
        ("blame", FB, r"\bblamed?\s+(?:[\w-]+\s+){0,4}?on\s+{P}|\bblame\s*:\s*{P}", True),
        ("blame", FB, rf"{{P}}{_REL}\s+(?:was|were|is|are|got|gets|get)\s+(?:\w+\s+)?blamed\b", True),
        (
            "blame",
            FB,
            r"\bblame\b[^.;]{0,40}?\b(?:falls|rests|lies|goes|go|is|belongs|sits)\s+(?:\w+\s+)?(?:on|with|to)\s+{P}",
            True,
        ),
        (
            "blame",
            FB,
            r"\b(?:put|puts|place|placed|lay|laid|pin|pinned)\s+(?:all\s+)?the\s+blame\b[^.;]{0,50}?\b(?:on|at\s+the\s+door\s+of)\s+{P}",
            True,
        ),
        ("blame", FB, r"{P}\s+(?:takes?|took|deserves?)\s+(?:the|all\s+the)\s+blame\b", True),
        ("blame", FB, r"\bfingers?\s+(?:points?|pointed)\s+at\s+{P}", True),
        # responsibility, accountability, cause
        (
            "responsibility",
            FB,
            rf"{{P}}{_REL}\s+{_BE}\s+(?:\w+\s+)?(?:responsible|accountable|answerable|liable)\s+for\s+(?!(?!breaking|causing|losing|taking|corrupting|destroying|skipping|ignoring|forgetting|leaking|crashing)\w+ing\b)(?:(?:the|this|that|all|our|two|\d+)\s+)?(?:[\w-]+\s+){{0,3}}?(?!(?:this|that|it)\s+[A-Za-z])(?:{_HARM}|breaking|causing|losing|taking|corrupting|destroying|skipping|ignoring|forgetting|leaking|crashing)\b(?!\s+(?:quarter|week|month|year|sprint|cycle|rotation|season))|{{P}}{_REL}\s+{_BE}\s+(?:\w+\s+)?(?:responsible|accountable|liable)\s+for\s+(?:the|this|that)\s+(?:broken|failed|botched|bad|lost|corrupted)\b",
            True,
        ),
        (
            "responsibility",
            FB,
            rf"{{P}}{_REL}\s+{_BE}\s+(?:\w+\s+)?the\s+(?:one|person|people)s?\s+responsible\b",
            True,
        ),
        (
            "responsibility",
            FB,
            # "the developer responsible for the service" is a role; "... for the outage", or alone, blame
            rf"\bthe\s+(?:person|people|one|engineer|developer|party|individual)s?\s+responsible\b"
            rf"(?!\s+for\s+(?!(?:(?:the|this|that|all|our)\s+)?(?:[\w-]+\s+)?(?:{_HARM})\b)\S)"
            r"|\bthe\s+responsible\s+(?:for|engineer|developer|person|party)\b",
            True,
        ),
        (
            "responsibility",
            FB,
            rf"\bhold(?:s|ing)?\s+{{P}}\s+(?:responsible|accountable|liable)\b|{{P}}\s+{_MODAL}\s+(?:be\s+)?held\s+(?:responsible|accountable)",
            True,
        ),
        (
            "responsibility",
            FB,
            rf"{{P}}{_REL}\s+(?:\w+\s+)?(?:needs?\s+to|must|should|has\s+to|have\s+to|will\s+have\s+to)\s+answer\s+for\b|\banswerable\s+to\b",
            True,
        ),
        (
            "responsibility",
            FB,
            r"{P}\s+(?:has\s+to|must|should|needs?\s+to|will\s+have\s+to)\s+take\s+(?:the\s+)?responsibility\b|\bown\s+up\s+to\b",
            True,
        ),
        (
            "responsibility",
            FB,
            # for the harm, or for nothing named ("accountability here lies with Dorota"); never for
            # the follow-up work ("accountability for the action items sits with the manager")
            rf"\b(?:accountability|responsibility)(?:\s+(?:for|of)\s+(?:(?:the|this|that|all|our)\s+)?(?:[\w-]+\s+)?"
            rf"(?:{_HARM})\b)?(?:\s+(?:here|\w+ly))*\s+(?:rests?|lies|lay|sits|is|falls?|belongs)\s+(?:\w+ly\s+)?"
            r"(?:with|on|upon|to)\s+(?:the\s+shoulders\s+of\s+)?{P}",
            True,
        ),
        (
            "responsibility",
            FB,
            rf"{{P}}{_REL}\s+{_BE}\s+(?:\w+\s+)?the\s+(?:\w+\s+){{0,2}}?(?:root\s+)?(?:cause|reason|culprit)\b",
            True,
        ),
        (
            "responsibility",
            FB,
            r"\b(?:root\s+)?(?:cause|reason|culprit|rca|problem)\b(?:\s+(?:for|of)\s+[\w\s]{1,30}?)?(?:\s+here)?\s*(?:is|was|=|:)\s*(?:a\s+human:\s*)?{P}"
            # the person ends the clause or acts: "root cause: the operator console ..." names a system
            r"(?=\s*(?:[.,;!?)]|$)|\s*'s\b|\s+(?:who|and|because|was|is|had|has|did|didn't|never|not|forgot|failed)\b"
            r"|\s+\w+ed\b)",
            True,
        ),
        (
            "responsibility",
            FB,
            rf"{{P}}{_REL}{_ADV}\s+(?:and\s+)?caused\b|{{P}}{_REL}\s+{_BE}\s+the\s+one\s+who\s+caused\b|\bcaused\s+by\s+{{P}}",
            True,
        ),
        ("responsibility", FB, rf"{{P}}{_REL}\s+{_BE}\s+guilty\b|{{P}}\s+owns?\s+this\s+(?:{_HARM})", True),
        # punishment and correction
        (
            "punishment",
            FB,
            rf"{{P}}{_REL}\s+(?:\w+\s+)?(?:{_MODAL}|to)\s+(?:\w+\s+)?(?:be|get)\s+(?:{_PUNISHED})"
            rf"|{{P}}{_REL}\s+(?:\w+\s+)?{_MODAL}\s+have\s+been\s+(?:fired|sacked|let\s+go|disciplined|dismissed|"
            r"terminated|suspended|demoted|reprimanded|punished|written\s+up)\b",
            True,
        ),
        (
            "punishment",
            FB,
            rf"{{P}}\s+(?:{_BE}\s+)?(?:getting|got|gets|will\s+get)\s+(?:{_PUNISHED}|a\s+(?:formal\s+|written\s+|final\s+)?(?:warning|reprimand|talking-to))",
            True,
        ),
        (
            "punishment",
            FB,
            r"{P}\s+(?:needs?|requires?|deserves?)\s+(?:a\s+)?(?:formal\s+|written\s+|final\s+|serious\s+)?(?:talking-to|re-?training|retraining|training|coaching|supervision|discipline|punishment|warning|reprimand|pip)",
            True,
        ),
        (
            "punishment",
            FB,
            r"\b(?:fire|retrain|re-train|discipline|reprimand|punish|demote|suspend|sack|write\s+up|coach)\s+{P}",
            True,
        ),
        (
            "punishment",
            FB,
            r"(?-i:\bPIP\b)|\bperformance\s+improvement\s+plan\b|\bdisciplinary\b|\bas\s+a\s+(?:penalty|punishment)\b",
            True,
        ),
        (
            "punishment",
            FB,
            r"\b(?:written|formal|final)\s+warning\s+(?:for|to)\s+{P}|\bconsequences\s+for\s+{P}|\bdismissal\s+of\s+{P}",
            True,
        ),
        (
            "punishment",
            FB,
            r"\bsend\s+{P}\s+(?:back\s+)?to\s+(?:\w+\s+)?(?:training|onboarding)|{P}\s+to\s+attend\s+(?:\w+\s+)?training",
            True,
        ),
        (
            "punishment",
            FB,
            rf"{{P}}\s+(?:\w+\s+)?lose\s+(?:[\w-]+\s+){{0,2}}(?:access|rights|privileges|permissions?)|\brevoke\s+{{P}}{_POSS}|\blet\s+{{P}}\s+go\b",
            True,
        ),
        (
            "punishment",
            FB,
            rf"{{P}}{_POSS}\s+head\s+for\b|\bterminate\s+the\s+contract\s+with\s+{{P}}|{{P}}\s+gets\s+no\s+more\b",
            True,
        ),
        (
            "punishment",
            FB,
            r"\bmake\s+sure\s+{P}\s+(?:doesn't|does\s+not|never|won't|can't)\s+(?:touch|go\s+near|deploy|get\s+near)|{P}(?:'s|\s+is)\s+out\b",
            True,
        ),
        ("punishment", FB, r"\bpunish\w*\s+{P}", True),
        (
            "punishment",
            FB,
            r"\b(?:should|must|needs?\s+to|will|has\s+to|to)\s+have\s+a\s+(?:\w+\s+)?(?:word|talk|chat|conversation)\s+"
            r"with\s+{P}",
            True,
        ),
        (
            "punishment",
            FB,
            rf"\b(?:wants?|wanted|would\s+like|expects?|asked\s+for|demands?|demanded)\s+{{P}}\s+(?:to\s+be\s+)?(?:{_PUNISHED})",
            True,
        ),
        (
            "punishment",
            FB,
            r"\b(?:should|must|will|to|needs?\s+to)\s+face\s+(?:\w+\s+)?(?:consequences|discipline|disciplinary)",
            True,
        ),
        (
            "performance",
            PBV,
            r"\b(?:lack|absence)\s+of\s+(?:attention|care|diligence|focus|oversight|urgency|rigou?r)\s+"
            r"(?:from|by|of|on\s+the\s+part\s+of)\s+{P}",
            True,
        ),
        (
            "punishment",
            FB,
            r"\b(?:on|onto|a|an)\s+(?:\w+\s+)?performance\s+(?:improvement\s+)?plan\b|\bon\s+probation\b",
            True,
        ),
        (
            "punishment",
            FB,
            rf"{{P}}{_REL}\s+(?:needs?|deserves?|gets?|will\s+get)\s+(?:a|an)\s+(?:serious|stern|hard|long|little)\s+"
            r"(?:talk|conversation|word)\b",
            True,
        ),
        (
            "responsibility",
            FB,
            rf"{{P}}{_REL}\s+(?:\w+\s+)?owes?\s+(?:us|everyone|the\s+\w+|you)?\s*(?:an?\s+)?(?:explanation|apology)\b",
            True,
        ),
        # idioms of blame
        ("idiom", FB, rf"{{P}}{_REL}{_ADV}\s+(?:{_IDIOM})", True),
        ("idiom", FB, r"\bthrew\s+{P}\s+under\s+the\s+bus|\bunder\s+the\s+bus\b", True),
        (
            "idiom",
            FB,
            rf"\bclassic\s+{{P}}\s+(?:screw-?up|move|mistake|blunder)|{{P}}{_POSS}\s+(?:typo|screw-?up|blunder)"
            r"|\bclassic\s+{P}(?=\s*(?:[,:;.!?]|$))",
            True,
        ),
        # negative performance
        ("performance", PBV, rf"{{P}}{_REL}{_ADV}\s+(?:{_PERFORMANCE})", True),
        ("performance", PBV, r"\btook\s+{P}\s+\d+\s+\w+\s+to\b|\bno\s+ack\s+from\s+@?{P}", True),
        (
            "performance",
            PBV,
            r"\b(?:nobody|no\s+one|no-one)(?:\s+(?:on\s+call|on-call|on\s+the\s+\w+|else|\w+))?\s+(?:was|were)\s+(?:even\s+)?(?:watching|paying\s+attention|looking|monitoring|checking|listening)",
            True,
        ),
        (
            "performance",
            PBV,
            r"\b(?:nobody|no\s+one|no-one)(?:\s+(?:(?:on|in|from)\s+\w+(?:\s+[\w-]+){0,2}|else))?\s+(?:bothered|cared|tested|checked|looked|reviewed|did|lifted\s+a\s+finger|could\s+be\s+bothered)\b",
            True,
        ),
        (
            "performance",
            PBV,
            r"{P}\s+\w+(?:\s+(?!(?:should|could|can|may|might|must|would|will|to)\b)[\w`.-]+){0,9}?\s+without\s+"
            r"(?:so\s+much\s+as\s+|even\s+)?(?:a\s+|any\s+)?(?:\w+ing|review|tests|ticket|approval|smoke\s+test|test|"
            r"permission|notice|warning|handover)\b",
            True,
        ),
        # omission given as the cause, counterfactuals
        ("omission", PBV, rf"{{P}}{_REL}{_ADV}\s+(?:{_OMITTED})", False),
        (
            "omission",
            PBV,
            rf"{{P}}{_REL}{_ADV}\s+could\s+have\s+(?:prevented|avoided|caught|stopped)\b",
            False,
        ),
        (
            "omission",
            PBV,
            rf"{{P}}{_REL}{_ADV}\s+(?:should|ought\s+to)(?:n't|\s+not|\s+never)?(?:'ve|\s+have)\s+(?:known|[\w-]+ed|done|read|run|seen|caught|taken|gone|been\s+more)\b(?!\s+(?:access|permissions?|rights|only|the\s+ability))",
            False,
        ),
        (
            "omission",
            CF,
            r"\b(?:if\s+only|if|unless)\s+{P}\s+(?:had|would\s+have|hadn't)(?:\s+(?:not|only|just|actually|really|even|\w+ly))*\s+(?!been\b)(?:[\w-]+ed|read|run|done|paid|seen|known|taken|caught|gone|bothered)\b|\bif\s+{P}\s+(?:were|was|had\s+been)\s+(?:paying|watching|looking|careful|awake|more|less)\b|\bhad\s+{P}(?:\s+on\s+(?:call|duty|shift))?\s+been\s+(?:paying|watching|looking|careful|awake|more|less|quicker|faster)\b",
            False,
        ),
        (
            "omission",
            CF,
            r"(?:^|[,;:]\s*|\b(?:and|but|or|so)\s+)had\s+{P}\s+(?:not\s+)?(?!been\b)(?:\w+ed|read|run|done|paid|seen|known)\b",
            False,
        ),
        (
            "omission",
            PBV,
            rf"{{P}}\s+\w+(?:\s+[\w`.-]+){{0,4}}?\s+(?:and|but)\s+(?:then\s+)?(?:{_OMITTED})",
            False,
        ),
        ("omission", PBV, r"\bdone\s+(?:their|his|her)\s+(?:job|jobs|homework)\b", True),
        # passive blame with a person as the agent
        (
            "passive",
            PBV,
            rf"\b(?:was|were|got|been|be|being|is|are)\s+(?:\w+ly\s+)?(?:{_PASSIVE})(?:\s+[\w`-]+){{0,3}}?\s+by\s+{{P}}",
            True,
        ),
        (
            "passive",
            PBV,
            rf"\bby\s+{{P}}{_POSS}\s+(?:bad|wrong|broken|faulty|buggy|careless|sloppy|untested|delay|mistake|error|refusal|"
            r"failure|inability|unwillingness|negligence|carelessness|laziness|incompetence|recklessness|impatience|haste)",
            True,
        ),
        (
            "passive",
            PBV,
            r"\b(?:was|were|got)\s+\w+ed\b[^.;]{0,30}?\s+by\s+{P}\s+(?:without|by\s+(?:mistake|accident|error))",
            True,
        ),
        (
            "passive",
            PBV,
            r"\b(?:was|were|got)\s+\w+(?:ed|en)\s+by\s+(?:mistake|accident|error)\s+by\s+{P}|\bat\s+the\s+hands\s+of\s+{P}",
            True,
        ),
        # rules flouted: "rebooted by Thanh at once, against every guideline", "Dave pushed it despite the
        # warnings"
        (
            "performance",
            PBV,
            rf"\bby\s+{{P}}[^.;]{{0,40}}?\b{_FLOUTED}|{{P}}{_REL}{_ADV}\s+\w+[^.;]{{0,40}}?\b{_FLOUTED}",
            True,
            "against|despite|defiance|contrary|violation|ignoring",
        ),
        # culpability, borne or owned: "is ultimately culpable", "bears responsibility for", "has to own
        # this one", "the culpable party is the on-call", "the outage is courtesy of Marcus"
        (
            "responsibility",
            FB,
            rf"{{P}}{_REL}\s+{_BE}\s+(?:\w+\s+)?(?:culpable|to\s+be\s+held\s+(?:liable|responsible|accountable))\b"
            rf"|{{P}}{_REL}(?:\s+\w+ly)?\s+(?:bears?|bore|carries|carry|carried|shoulders?|shouldered)\s+(?:the\s+|full\s+|"
            r"sole\s+|some\s+|most\s+|all\s+the\s+)*(?:responsibility|blame|fault|accountability)\b"
            r"|\b(?:culpable|guilty|responsible|liable)\s+(?:party|person|one|individual)\s+(?:here\s+)?(?:is|was)\s+{P}",
            True,
        ),
        (
            "responsibility",
            FB,
            rf"{{P}}{_REL}\s+(?:has\s+to|have\s+to|needs?\s+to|must|should|ought\s+to|gets?\s+to)\s+own\s+(?:this|that)\s+(?:one|outage|mess|failure|"
            r"screw-?up|disaster|data\s+loss|breakage|regression)\b"
            r"|\bhold(?:s|ing)?\s+{P}\s+\w+ly\s+(?:responsible|accountable|liable)\b",
            True,
        ),
        (
            "blame",
            FB,
            r"\b(?:outage|downtime|incident|failure|mess|data\s+loss|leak|breach|breakage|bug|regression|corruption|"
            r"damage|delay|disaster)\s+(?:is|was|'s|were|are)\s+(?:all\s+|\w+ly\s+)?(?:courtesy\s+of|thanks\s+to|"
            r"compliments\s+of)\s+{P}"
            r"|\b(?:is|are|was|were|all|everyone|everybody|people)\s+pointing\s+(?:(?:the\s+)?fingers?\s+)?at\s+{P}"
            r"|\bwho(?:'s|\s+is|\s+was)\s+to\s+blame\b(?!\s+(?:is|isn't|was)\s+(?:the\s+)?(?:wrong|not|irrelevant))"
            r"|\bwho\s+(?:do|should|can|shall|will)\s+(?:we|i)\s+blame\b"
            r"|{P}\s+(?:always|constantly|keeps|forever)\s+(?:does|do|did|doing|pulls|pulling)\s+(?:this|that)\b",
            True,
        ),
        # name-calling and sarcastic epithets aimed at a person: "you absolute clown", "some genius hardcoded"
        (
            "blame",
            FB,
            r"{P}\s+(?:absolute|total|complete|utter|fucking|f\*+ing|massive)\s+(?:clown|idiot|moron|muppet|donkey|"
            r"buffoon|numpty|fool|amateur|cowboy|disaster)s?\b",
            True,
        ),
        (
            "blame",
            FB,
            r"\b(?:some|a|the|our|that|this)\s+(?:(?:absolute|real|total)\s+)?(?:genius|clown|cowboy|muppet|"
            r"rocket\s+scientist|einstein|numpty|bright\s+spark|hotshot|wise\s+guy|know-it-all)(?=\s+(?:(?:just|apparently|clearly|decided\s+to|thought\s+it\s+"
            r"would\s+be\s+\w+\s+to)\s+)?(?:\w+(?:ed|'d)|went|thought|made|put|left|set|ran|took)\b)",
            True,
            "genius|clown|cowboy|muppet|rocket scientist|einstein|numpty|spark|hotshot|wise guy|know-it-all",
        ),
        # punishment: subjunctive and imperative ("recommend that X be written up", "ban X from deploys",
        # "strip the team of autonomy", "dock their bonus", "a formal warning should be issued to X")
        (
            "punishment",
            FB,
            rf"\b(?:recommend|suggest|propose|ask|insist|demand|request)(?:s|ed)?\s+(?:that\s+)?{{P}}{_REL}\s+(?:be|get)\s+"
            rf"(?:\w+ly\s+)?(?:{_PUNISHED})"
            rf"|{{P}}{_REL}\s+(?:\w+\s+)?(?:{_MODAL}|to)\s+(?:be|get)\s+\w+ly\s+(?:{_PUNISHED})",
            True,
        ),
        (
            "punishment",
            FB,
            r"\b(?:(?:formal|written|final|official)\s+warning|reprimand|write-?up|demerit)s?\s+(?:\w+\s+){0,3}?"
            r"(?:issued|given|sent)\s+to\s+{P}"
            r"|\b(?:issue|give|hand)\s+{P}\s+an?\s+(?:\w+\s+)?(?:warning|reprimand|strike|write-?up)\b",
            True,
        ),
        (
            "punishment",
            FB,
            rf"\b(?:ban|bar|strip|kick|boot|move|take|yank|pull|remove|suspend|lock)\s+{{P}}\s+(?:out\s+)?(?:from|of|off|out\s+of)\s+"
            r"(?:the\s+|their\s+|his\s+|her\s+|all\s+|any\s+)?(?:[\w-]+\s+){0,2}?(?:deploys?|deployments?|rotation|"
            r"on-?call|access|rights|privileges|permissions|prod|production|merges?|releases?|autonomy|pager|"
            r"changes?)\b(?!\s+(?:while|during|until\s+(?:\w+\s+)?(?:returns|is\s+back)))"
            rf"|\b(?:dock|cut|withhold|freeze|revoke|pull)\s+{{P}}{_POSS}\s+(?:\w+\s+)?(?:bonus|bonuses|pay|salary|raise|"
            r"rights|access|privileges)\b"
            rf"|{{P}}{_POSS}\s+(?:\w+\s+)?(?:access|rights|privileges|permissions|badge|account|contract)\s+{_MODAL}\s+be\s+"
            r"(?:terminated|revoked|pulled|cut|suspended|ended|taken\s+away)\b"
            r"|\bmake\s+{P}\s+(?:buy|pay\s+for|wear|apologi[sz]e|write\s+an\s+apology)\b",
            True,
        ),
        (
            "punishment",
            FB,
            r"\bremedial\s+(?:[\w-]+\s+){0,2}?(?:training|course|coaching|sessions?|class)\b"
            r"|{P}\s+(?:to|must|should|will)\s+attend\s+(?:[\w-]+\s+){0,3}?training\b"
            r"|\bloop(?:ed|ing)?\s+in\s+hr\b|\bhr\s+(?:should|must|needs?\s+to|to)\s+be\s+(?:looped\s+in|involved|"
            r"informed|told|notified)\b|\breport\s+(?:\w+\s+){0,3}?to\s+hr\b|\bescalate\s+(?:\w+\s+){0,3}?to\s+hr\b"
            rf"|\b(?:go|goes|belongs?|put\s+(?:it|this|that)|note\s+(?:it|this|that)|record\s+(?:it|this|that)|added?\s+"
            rf"(?:it|this|that))\s+(?:on|in|into|to)\s+{{P}}{_POSS}\s+(?:\w+\s+)?(?:performance\s+review|permanent\s+record|"
            r"record|file|appraisal|review)\b(?!\s+of\b)",
            True,
        ),
        # performance: "took Ingrid an embarrassingly long time", "is the oncall even awake??", "treats the
        # change calendar as optional", "lacks the basic competence", "the effort from the squad was pathetic"
        (
            "performance",
            PBV,
            r"\btook\s+{P}\s+(?:an?\s+)?(?:(?:embarrassingly|ridiculously|absurdly|painfully|unbelievably|shockingly|"
            r"insanely|stupidly|unacceptably|way|far|much)\s+(?:too\s+)?long|forever|ages|an\s+eternity)\b"
            r"|\b(?:is|was|are|were)\s+{P}\s+(?:even|actually|ever)\s+(?:awake|alive|there|paying\s+attention|reading|"
            r"watching|looking|online|around|listening)\b",
            True,
            "took|awake|alive|there|online|around|listen|watch|read|look|paying",
        ),
        (
            "performance",
            PBV,
            rf"{{P}}{_REL}{_ADV}\s+(?:treats?|treated|treating|sees|saw|regards?|regarded)\s+(?:[\w-]+\s+){{0,4}}?as\s+"
            r"(?:optional|a\s+suggestion|suggestions|a\s+formality|a\s+joke|a\s+nuisance|mere\s+guidelines|red\s+tape|"
            r"an?\s+(?:inconvenience|afterthought))\b"
            # a want of competence or care, not of experience ("lacks experience with Kafka" is a fact)
            rf"|{{P}}{_REL}{_ADV}\s+(?:lacks?|lacked|lacking)\s+(?:the\s+|any\s+|even\s+the\s+)?(?:(?:most\s+)?basic\s+|"
            r"common\s+|good\s+)?(?:competence|judge?ment|discipline|sense|care|rigou?r|clue|professionalism)\b"
            rf"|{{P}}{_REL}{_ADV}\s+(?:lacks?|lacked|lacking)\s+(?:the\s+|even\s+the\s+)?(?:most\s+)?basic\s+(?:skills?|"
            r"knowledge|understanding)\b"
            rf"|{{P}}{_REL}{_ADV}\s+(?:lacks?|lacked|lacking)\s+(?:the\s+)?(?:\w+\s+)?(?:skills?|competence|know-?how)\s+"
            r"(?:needed\s+|required\s+)?to\s+(?:be\s+(?:anywhere\s+)?near|touch|run|handle|operate|own|be\s+trusted)\b",
            True,
            "treat|sees|saw|regard|lack",
        ),
        (
            "performance",
            PBV,
            r"\b(?:effort|work|performance|attitude|response|communication|support|level\s+of\s+\w+)\s+(?:from|of|by)\s+"
            r"{P}(?:\s+[^,.;]{0,40}?)?\s+(?:was|is|were|has\s+been)\s+(?:\w+\s+)?(?:pathetic|abysmal|poor|terrible|"
            r"awful|shameful|unacceptable|lacking|embarrassing|useless|lazy|sloppy|appalling|dismal|nonexistent|"
            r"non-existent)\b"
            r"|\b(?:nobody|no\s+one|no-one)(?:\s+(?:on|in|from|at)\s+(?:the\s+)?[\w-]+(?:\s+(?:team|squad|side))?)?\s+"
            r"(?:has|had|seems\s+to\s+have)\s+(?:a|any|the\s+(?:faintest|slightest|first|foggiest))\s+(?:clue|idea)\b",
            True,
            "effort|work|performance|attitude|response|communication|support|level of|clue|idea",
        ),
        (
            "performance",
            PBV,
            # "just clicked approve", "smashed merge", "rubber-stamped it"; not a plain "hit approve"
            rf"{{P}}{_REL}\s+(?:just|simply|blindly|happily|lazily)\s+(?:clicked|hit|pressed)\s+(?:approve|merge|lgtm|accept)\b"
            rf"|{{P}}{_REL}{_ADV}\s+(?:smashed|slapped|mashed)\s+(?:approve|merge|lgtm|accept)\b"
            rf"|{{P}}{_REL}{_ADV}\s+rubber-?stamp(?:ed|s)\b|\brubber-?stamped\s+by\s+{{P}}",
            True,
            "click|hit|smash|slap|mash|rubber",
        ),
        (
            "performance",
            PBV,
            rf"{{P}}{_REL}{_ADV}\s+\w+[^.;]{{0,60}}?\b(?:and|then)\s+(?:just\s+|then\s+)*(?:went\s+(?:back\s+)?to\s+"
            r"(?:lunch|sleep|bed)|vanished|disappeared|walked\s+away|ghosted)\b",
            True,
            "lunch|sleep|bed|vanish|disappear|walked|ghost",
        ),
        # idioms: "leave it to Gustavo to brick the build server", "no excuse for Chidi muting it"
        (
            "idiom",
            FB,
            rf"\bleave\s+it\s+to\s+{{P}}\s+to\s+(?:{_IDIOM}|brick|break|nuke|wipe|delete|crash|take\s+down|mess|screw|"
            r"forget|miss|ignore|bork|tank)"
            r"|\bno\s+excuse\s+for\s+{P}"
            rf"|{{P}}{_POSS}\s+(?:code|changes?|work|configs?|scripts?|prs?|commits?|deploys?|handiwork|patch(?:es)?|fix(?:es)?|"
            rf"migrations?|quer(?:y|ies)|designs?)\s+{_BE}\s+"
            r"(?:always\s+|usually\s+|constantly\s+|just\s+)?(?:a\s+)?(?:ticking\s+time\s+bomb|disaster|liability|"
            r"nightmare|train\s?wreck|garbage|trash|junk|joke|minefield)\b(?![\s-]+(?:recovery|plan|drill|test|scenario))"
            rf"|{{P}}{_POSS}\s+(?:fingerprints|hands)\s+(?:are\s+)?all\s+over\b|\bown\s+goal\s+"
            r"(?:by|from)\s+{P}",
            True,
            "leave it|no excuse|time bomb|disaster|liability|nightmare|wreck|garbage|trash|junk|joke|"
            "minefield|all over|own goal",
        ),
        # judgement of a person's decisions: "what was Siobhan thinking", "why did Amara think it was OK",
        # "Olumide's call ... was just plain wrong", "an indefensible choice by the reviewer"
        (
            "judgement",
            JG,
            r"\bwhat\s+(?:was|were|is|are|the\s+hell\s+was)\s+{P}\s+(?:even\s+|actually\s+)?thinking\b"
            # "why on earth did X think", or "why did X think it was OK": a plain "why did X think the
            # cache was warm?" is a question of the five whys
            r"|\bwhy\s+(?:on\s+earth|the\s+hell|in\s+the\s+world|tf)\s+(?:did|would|does|do)\s+{P}\s+(?:even\s+)?"
            r"(?:think|decide|believe|figure)\b"
            r"|\bwhy\s+(?:did|would|does|do)\s+{P}\s+(?:even\s+)?(?:think|believe|decide|figure)\s+(?:that\s+)?"
            r"(?:it\s+was|it's|it\s+would\s+be|this\s+was|that\s+was)\s+(?:ok|okay|fine|acceptable|a\s+good\s+idea|"
            r"alright|reasonable|smart|wise)\b"
            r"|\b(?:can't|cannot|can\s+not|couldn't)\s+believe\s+{P}\s+(?:thought|decided|would|went|figured)\b"
            r"|\bwho\s+(?:thought|decided|figured)\b[^?.]{0,80}?\b(?:was|is|would\s+be)\s+(?:a\s+)?(?:good|great|smart|"
            r"fine|ok|okay|clever|wise)\b"
            r"|\b(?:nobody|no\s+one|no-one)\s+(?:with\s+(?:any|half\s+a)\s+(?:sense|brain)|in\s+(?:their|his|her)\s+"
            r"right\s+mind|sane)\b",
            True,
            "thinking|think|believe|figure|decide|thought|sense|right mind|sane",
        ),
        (
            "judgement",
            JG,
            rf"{{P}}{_REL}{_ADV}\s+(?:approved|merged|shipped|wrote|pushed|deployed|signed\s+off\s+on|lgtm'?d)\s+"
            r"(?:this|that|the|a|such|their|his|her)\s+(?:[\w-]+\s+)?(?:garbage|trash|junk|crap|abomination|"
            r"monstrosity|dumpster\s+fire)\b",
            True,
            "garbage|trash|junk|crap|abomination|monstrosity|dumpster",
        ),
        (
            "judgement",
            JG,
            rf"{{P}}{_POSS}\s+(?:[\w-]+\s+)?(?:call|decision|decisions|decision-making|judge?ment|choice|choices|"
            r"reasoning|thinking|approach)\b(?:\s+[^,.;]{0,40}?)?\s+(?:was|were|is|are|has\s+been|have\s+been)\s+"
            r"(?:\w+\s+){0,2}?(?:wrong|questionable|erratic|indefensible|poor|bad|terrible|awful|reckless|careless|"
            r"dubious|misguided|flawed|inexcusable|unacceptable|irresponsible|baffling|a\s+mistake|an\s+error)\b"
            r"|\b(?:indefensible|inexcusable|terrible|awful|bad|poor|reckless|careless|questionable|dubious|"
            r"irresponsible|baffling)\s+(?:choice|call|decision|move|judge?ment)\s+(?:by|from|of|on\s+the\s+part\s+of)\s+{P}",
            True,
            " call|decision|judg|choice|reasoning|thinking|approach",
        ),
    )
)

BY_FAMILY: dict[str, tuple[engine.Pattern, ...]] = {
    family: tuple(p for p in PATTERNS if p.family == family)
    for family in dict.fromkeys(p.family for p in PATTERNS)
}
