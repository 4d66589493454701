"""Word lists and patterns the rules are made of. Every pattern runs on lower-cased text.

The lists describe the language of peer reviews in general (OpenReview, NeurIPS, ICLR, CVPR),
not one corpus: a vague negative is a judgement made only of review boilerplate ("the
experiments", "the writing", "could be better"), so the analyzer looks for what is left once that
boilerplate is taken away.
"""

from __future__ import annotations

from reviews.guidance import matcher
from reviews.guidance.matcher import Lexicon


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


def _any(*alternatives: str) -> Lexicon:
    return Lexicon(*alternatives)


# A negative judgement about the paper. Negated praise ("not novel") is added by the analyzer.
NEGATIVE = _any(
    r"\bcould(?: have)?(?: been| be)?(?: done| made| written| presented| explained| executed"
    r"| organi[sz]ed| motivated| designed| structured)?(?: much| a lot| far| significantly"
    r"| a bit| somewhat| considerably)? (?:better|improved|stronger|clearer|tighter|cleaner"
    r"|more (?:convincing|thorough|rigorous|careful|complete|extensive|polished|clear))\b",
    r"\bshould(?: have)?(?: been| be)?(?: done| made| written)?(?: much| far)?"
    r" (?:better|improved|stronger|clearer)\b",
    r"\b(?:needs?|requires?|needed|required)(?: a lot of| much| more| some| further"
    r"| significant| substantial| serious| a lot| major)* (?:work|improvement|polish(?:ing)?"
    r"|effort|revision|rewriting|clarification|experiments|evaluation|analysis|justification"
    r"|proofreading|editing)\b",
    r"\bleaves? (?:a lot|much|something|a great deal) to be desired\b",
    r"\b(?:un(?:convincing|clear|justified|supported|motivated|satisfying|satisfactory|sound"
    r"|persuasive|substantiated|fair|realistic|informative|readable|impressive|original"
    r"|interesting|surprising|necessary|clean)|insufficient(?:ly)?|inadequate(?:ly)?"
    r"|underwhelming|disappointing|disappointed|lacklust(?:er|re)|mediocre|sub-?par"
    r"|weak(?!ly|[- ]supervis|[- ]label|[- ]scal|[- ]form|[- ]learn)(?:er|est|ness|nesses)?"
    r"|poor(?:ly)?|lack(?:s|ing|ed)?|missing|limited|confusing|confused|convoluted"
    r"|incremental|marginal(?:ly)?|questionable|problematic|flawed|sloppy|messy|shallow"
    r"|superficial|hand-?wav(?:y|ing)|vague|overclaim\w*|over-?stat\w+|oversell\w*|oversold"
    r"|exaggerat\w+|misleading|inconsistent|incorrect|wrong|erroneous|dubious|doubtful"
    r"|unfortunately|drawbacks?|shortcomings?|flaws?|bad(?:ly)?|terrible|awful|worse"
    r"|dense|cluttered|hard to (?:follow|read|understand|parse|believe|see|interpret)"
    r"|difficult to (?:follow|read|understand|parse|believe|see|interpret)"
    r"|not (?:enough|sufficient)|too (?:few|little|small|narrow|simple|limited|short|long"
    r"|dense|weak|strong|optimistic|broad|vague|specific|many|much)|(?:i am|i'm|am) not"
    r"(?: fully| entirely| completely| really| quite)? (?:convinced|sure|persuaded)|unsure"
    r"|not convinced|concern(?:s|ed|ing)?|worried|worrying|troubling|puzzling|thin|rushed"
    r"|arbitrary|incomplete|underdeveloped|under-developed|undeveloped|immature|preliminary"
    r"|premature|unpolished|unfinished|sketchy|ad[- ]hoc|simplistic|overly \w+"
    r"|falls? short|fell short|not (?:yet )?ready|not (?:very |particularly |really |that"
    r" |entirely )?new)\b",
    r"\b(?:should|could|would) have (?:done|included|run|added|provided|compared|shown|tested"
    r"|evaluated|explored|considered|discussed|reported|cited|been)\b",
    r"\bshould (?:improve|clarify|rewrite|polish|strengthen|expand|revise|rework|better)\b",
    r"\b(?:does|do|did|is|are|was|were|has|have|can|could|would|will)(?: not|n't)"
    r"(?: \w+)? (?:convince|show|demonstrate|justify|support|address|compare|explain|discuss"
    r"|provide|include|report|consider|evaluate|hold|work|scale|generali[sz]e|help|follow"
    r"|make sense|add up|match|reflect|hold up|measure|prove|mention|cite|improve|answer"
    r"|reproduce|seem|appear|find)\w*",
    r"\b(?:fails?|failed|failing) to\b",
    r"\b(?:major|main|big|biggest|serious|significant|key|fundamental|critical|primary"
    r"|central|important|glaring|obvious) (?:issues?|problems?|concerns?|weakness(?:es)?"
    r"|drawbacks?|limitations?|flaws?|shortcomings?|omissions?|gaps?)\b",
    r"\b(?:is|are|was|were|seems?|remains?) (?:\w+ )?(?:needed|necessary|required|missing"
    r"|warranted|lacking|absent|questionable|a stretch)\b",
    r"\bwould (?:greatly |really |strongly |significantly )?benefit from\b",
    r"\b(?:i|we) (?:do not|don't|did not|didn't) (?:like|buy|see|understand|agree)\b",
    r"\bi dislike\b",
    r"\b(?:falls?|fell|lags?|lagged|is|are|was|were|remains?) (?:\w+ )?(?:behind|below)\b"
    r"|\b(?:lower|worse) than\b|\b(?:trails?|trailed|underperforms?|underperformed)\b",
    r"\b(?:do|does|did|doing) (?:a |an )?(?:better|poor|bad|poorer|mediocre|sloppy|weak) job\b",
    r"\b(?:needs?|has|have|should|must|ought) (?:to )?be (?:(?:much|far|significantly"
    r"|substantially) )?(?:improved|better|clearer|strengthened|rewritten|clarified|polished"
    r"|revised|reworked|expanded|extended|tightened)\b",
    r"\bnot (?:very |particularly |entirely |sufficiently |that |so )?well[- ]\w+",
    r"\b(?:several|some|many|a few|multiple|numerous|various|two|three|other) (?:issues|problems"
    r"|concerns|weaknesses|flaws|shortcomings|drawbacks|limitations)\b",
    r"\b(?:ignor|overlook|neglect|omit|omitt)(?:s|es|ed|ing)\b|\bomits?\b|\boverlooks?\b",
    r"\bonly (?:evaluated|tested|tried|compared|validated|shown|reported|considered|applied"
    r"|studied|uses?|used|a few|one|two|three|marginal|slight)\b",
    r"\bno (?:comparisons?|ablations?|baselines?|discussion|justification|analysis|evidence"
    r"|explanation|error bars|details|experiments?|results|code|proofs?|insight|intuition)\b",
)

# Praise. A praise word with a negator in the three words before it counts as negative.
POSITIVE = _any(
    r"\bwell[- ](?:written|motivated|organi[sz]ed|structured|executed|presented|designed"
    r"|explained|done|founded|thought[- ]out|situated|argued|chosen|crafted|illustrated"
    r"|documented|known)\b",
    r"\bclearly (?:written|presented|explained|motivated|structured|organi[sz]ed|described)\b",
    r"\beasy to (?:follow|read|understand|reproduce|implement|use)\b",
    r"\b(?:novel(?:ty)?|original(?:ity)?|interesting|elegant(?:ly)?|convincing(?:ly)?"
    r"|thorough(?:ly)?|impressive(?:ly)?|impressed|solid|strong(?:ly)?(?! assumptions?)|nice(?:ly)?"
    r"|good|great|excellent|compelling|insightful|useful|valuable|important|significant(?:ly)?"
    r"|outperforms?|outperforming|outperformed|state[- ]of[- ]the[- ]art|commend(?:able|ed)?"
    r"|creative|promising|clever(?:ly)?|neat(?:ly)?|rigorous(?:ly)?|careful(?:ly)?"
    r"|comprehensive|extensive(?:ly)?|welcome|helpful|clarity|sound|beautiful(?:ly)?"
    r"|intuitive|principled|effective(?:ly)?|efficient|informative|detailed|timely|practical"
    r"|reproducible|transparent|refreshing|inspiring|exciting|remarkable|kudos|fantastic"
    r"|brilliant|superb|clean|clear|concise|accessible|readable|appreciated|enjoyable"
    r"|improves? (?:over|upon|on|by)|improved (?:over|upon|on|by)|achieves?|surpass(?:es|ed)?"
    r"|beats?|robust)\b",
    r"\bsimple (?:yet|and|but) effective\b",
    r"\b(?:a|one|another|the main|the key|the major|a major|its|their|main) strengths?\b",
    r"\bi (?:really |particularly |especially |very much |also |quite |genuinely )?"
    r"(?:like|liked|enjoyed|appreciate|appreciated|love|loved|value|valued)\b",
)

NEGATORS = _words(
    "not n't no never hardly barely nor neither lack lacks lacking without less little isn't "
    "aren't wasn't weren't doesn't don't didn't cannot can't far nothing hard difficult"
)

# Contempt for the paper or its authors: flagged whatever evidence comes with it.
CONTEMPT = _any(
    r"\bwaste of (?:(?:my|our|the|everyone'?s|everybody'?s|the reviewers'?|reviewers'?|the"
    r" readers'?|readers'?|valuable|good|precious) )*(?:time|paper|space|effort|ink"
    r"|money)\b",
    r"\b(?:lazy|laziness|lazily|laughabl[ey]|ridiculous(?:ly)?|absurd(?:ly)?|nonsens(?:e|ical)"
    r"|garbage|rubbish|junk|idiotic|stupid|dumb|silly|pathetic|embarrassing(?:ly)?|amateur"
    r"|amateurish|clueless|incompetent|incompetence|sophomoric|childish|preposterous|pointless"
    r"|worthless|half-baked|hilarious|joke|insulting|shoddy|careless(?:ly)?|braindead"
    r"|brain-dead|moronic|cringe\w*|pseudo-?science|snake oil|buzzword salad)\b",
    r"(?<!not )(?<!hardly )(?<![-\w])trivial"
    r"(?! to (?:prove|show|verify|check|derive|implement|compute|see|extend))\b",
    r"\b(?:the )?authors? (?:clearly |obviously |apparently |simply |just |evidently )?"
    r"(?:seem(?:s)? to |do(?:es)? not seem to |don'?t seem to |did ?n[o']t )?"
    r"(?:do(?:es)? ?n[o']t|did ?n[o']t|never|fail(?:ed|s)? to|cannot|can'?t) (?:even |really )?"
    r"(?:understand|know|grasp|get|bother(?:ed)?|care|read|comprehend)\b",
    r"\b(?:has|have|had) (?:no|not the slightest|not the faintest|little) "
    r"(?:idea|clue|understanding|grasp)\b",
    r"\b(?:basic|elementary|fundamental) (?:understanding|knowledge|competence)\b",
    r"\b(?:obviously|clearly|evidently) the authors\b",
    r"\bobviously (?:wrong|flawed|false|useless|broken|not|never|doesn't|won't|cannot|can't"
    r"|does not|will not)\b",
    r"\b(?:any|every|even an?) (?:first[- ]year|undergrad(?:uate)?|high[- ]school|competent"
    r"|halfway competent|half-decent|serious|decent|freshman|sophomore|beginning|masters?)"
    r" (?:student|researcher|reviewer|person|practitioner|engineer|phd student|scientist)\b",
    r"\b(?:reads|looks|feels|sounds) like (?:an? |the )?(?:undergrad(?:uate)?|student|class"
    r"|course|homework|high[- ]school|first[- ]year|weekend|hackathon|blog|term)"
    r"(?: project| assignment| homework| exercise| report| paper| post)?\b",
    r"\b(?:undergrad(?:uate)?|high[- ]school|homework|student)[- ]level\b",
    r"\beven a (?:child|kid|monkey|toddler|student|undergrad\w*|layperson)\b",
    r"\b(?:who|nobody|no one|no-one) (?:cares|would care|would (?:ever )?(?:use|want|read)"
    r"|needs this|asked for)\b",
    r"\b(?:seriously|really|come on)\s*[?!]",
    r"\b(?:wow|congratulations|bravo|yikes|ugh|sigh)\b\s*[,!.]",
    r"\byet another\b",
    r"\bso-called\b",
    r"[\"“‘](?:novel|new|novelty|contributions?|innovations?|innovative|theory|theoretical"
    r"|state[- ]of[- ]the[- ]art|insights?|breakthrough|groundbreaking|results?|analysis"
    r"|experiments?|method|science|proof)[\"”’]",
    r"\bhow (?:original|novel|innovative|convenient|surprising|groundbreaking|creative)[.!]",
    r"\b(?:surely|i'?m sure|i am sure|presumably) the authors (?:know|realize|realise|are aware"
    r"|understand|must know)\b",
    r"\b(?:to put it (?:mildly|kindly|politely|charitably|generously)|to say the least)\b",
    r"\b(?:should|need to|needs to|must|ought to) (?:go back to school|learn the basics"
    r"|learn how to|read (?:a|any) (?:basic |introductory )?textbook|take (?:a|an) (?:basic "
    r"|intro\w* )?(?:course|class)|do their homework)\b",
    r"\b(?:any|a basic|an introductory|an intro|any intro\w*) (?:textbook|tutorial|course"
    r"|lecture)\b",
    r"\b(?:everyone|everybody|anyone|any idiot) (?:in the field |in this field |in the area "
    r"|with a pulse )?(?:knows|knew|would know|can see|could see|could have|could do)\b",
    r"\b(?:should|must) never have been (?:submitted|written|accepted)\b",
    r"\bnot (?:even )?worth (?:the paper|reading|publishing|reviewing|considering|the time"
    r"|the effort|a look)\b",
    r"\bdesk[- ]reject\w*\b",
    r"\bi (?:could|can) (?:have )?(?:do|write|implement|code|done|written|implemented)"
    r" (?:this|it|that) in (?:an?|one|a single|two) (?:afternoon|day|evening|weekend|hour)\b",
    r"\bbeneath (?:this|the|a) (?:venue|conference|community)\b",
    r"\bobvious to (?:anyone|everyone|any)\b",
    r"\bhow not to (?:do|write|conduct|run|present|design)\b",
)

# Sweeping dismissals: flagged when nothing specific backs them in this or the next sentence.
SWEEPING = _any(
    r"\b(?:completely|entirely|totally|utterly|fundamentally|hopelessly|thoroughly"
    r"|absolutely|simply) (?:wrong|flawed|broken|useless|meaningless|unoriginal|misguided"
    r"|incorrect|uninteresting|irrelevant|unconvincing|unreadable|pointless|worthless"
    r"|derivative|uninformative|unpublishable|bogus|off)\b",
    r"\b(?:no|zero|nothing of|without any|devoid of(?: any)?|not a shred of|not one ounce of) "
    r"(?:real |scientific |technical |practical |actual |discernible )?(?:merit|value|novelty"
    r"|contribution|substance|insight|originality|significance)\b",
    r"\bnothing (?:new|novel|interesting|original|of (?:value|interest|substance|note))\b",
    r"\b(?:contributes|adds|offers|brings|provides) (?:absolutely |literally )?nothing\b",
    r"\b(?:un-?publishable|not publishable)\b",
    r"\breject(?:ed|ion)? (?:outright|immediately|without (?:hesitation|question|discussion))\b",
    r"\b(?:incremental|marginal|weak|mediocre|derivative|borderline|minor|limited|modest"
    r"|uninteresting|superficial) at best\b",
    r"\b(?:done|seen|published|proposed|tried) (?:a |literally )?(?:hundreds?|thousands?|million"
    r"|dozens?|countless|many|a hundred|a thousand|a million) (?:of )?times\b",
    r"\b(?:is|are|was|were) (?:already |just |simply |all )?(?:well[- ]known|common knowledge"
    r"|folklore|textbook material|standard practice|old news)\b",
    r"\bbelow (?:the )?(?:bar|standards?|level) (?:of|for|expected (?:of|at)) (?:any|a|this)\b",
    r"\b(?:the|this|whole) (?:entire )?(?:paper|work|submission|premise|idea|approach|method)"
    r" (?:is|seems) (?:a |an |just |simply |basically )?(?:mess|disaster|non-starter|dead end"
    r"|dead-end|non-result)\b",
    r"\b(?:no|not a single) (?:sane|reasonable|serious) (?:person|researcher|reviewer)\b",
)

# The reviewer's standards, virtue or superiority: always about the reviewer, not the paper.
VIRTUE = _any(
    r"\b(?:i|we) (?:have|hold|set|keep|maintain|apply) (?:a |an )?(?:(?:much|far|a lot|very"
    r"|significantly|considerably|rather|somewhat|simply) )*(?:higher|high|stricter|strict"
    r"|rigorous|different|better|exacting|elevated|loftier) (?:standards?|bars?|expectations"
    r"|requirements)\b",
    r"\b(?:my|our)(?: own| personal| usual| high| higher| strict| lab'?s| group'?s)*"
    r" (?:standards?|bar)\b(?! deviation| errors?| practice| setup| protocol)",
    r"\bin (?:my|our) (?:own )?(?:lab|group|team|work|research|papers?|field)\b,? (?:we|i)"
    r" (?:would|always|never|do not|don't|require|insist)\b",
    r"\b(?:i|we) (?:expect|demand|require) (?:a |an )?(?:much |far |considerably )?(?:higher"
    r"|more|better|greater) (?:level|standard|degree|quality|bar)\b",
    r"\b(?:i|we) hold (?:\w+ ){1,3}to (?:a )?(?:much |far |far more |)(?:higher|stricter|high"
    r"|better|more rigorous|exacting)\b",
    r"\bin my experience as an?\b|\bas an? (?:senior )?(?:area chair|ac|program chair"
    r"|editor|associate editor|meta-?reviewer)\b",
    r"\bi hold (?:myself|my (?:own )?(?:work|students|papers|reviews)|reviews|papers"
    r"|submissions|authors|everyone|others) to\b",
    r"\b(?:standards?|level|quality|bar|rigou?r) (?:that )?(?:i|we) (?:expect|hold|set"
    r"|am used to|would expect|demand|require)\b",
    r"\bi would (?:never|not|be (?:ashamed|embarrassed)|be too embarrassed) (?:to )?"
    r"(?:submit|sign|put my name|publish|write|be caught|let my students)\b",
    r"\bi (?:would be|'d be|am|'m|was|felt) (?:frankly |honestly |personally |quite |deeply )?"
    r"(?:ashamed|embarrassed|appalled|offended|insulted|scandali[sz]ed)\b",
    r"\b(?:i|we) (?:actually |genuinely |truly |really |personally )?(?:care|cares)"
    r" (?:deeply |a lot |strongly |very much )?about (?:rigou?r|reproducibility|science|good"
    r" science|quality|integrity|ethics|correctness|the field|scientific)\b",
    r"\bi (?:take|took) (?:my )?(?:reviewing|reviews|peer review|science|this|my job|my duties"
    r"|my responsibilities)(?: duties| job)? (?:very |extremely |quite )?seriously\b",
    r"\bi (?:pride myself|am proud to|'m proud to)\b",
    r"\bunlike (?:many|most|other|some|the other|lazier) (?:reviewers|people|researchers"
    r"|colleagues|of my colleagues)\b",
    r"\bunlike the authors,? (?:i|we)\b",
    r"\bi (?:am|'m) (?:one of the few|not one of those|the only (?:reviewer|one))\b",
    r"\bas (?:an?) (?:responsible|ethical|honest|conscientious|rigorous|careful|principled"
    r"|serious|diligent|dedicated|proper) (?:scientist|researcher|reviewer|member|person"
    r"|academic|engineer)\b",
    r"\bi (?:cannot|can't|could not|couldn't) in good conscience\b",
    r"\b(?:my|our) (?:own )?(?:papers?|work|lab|group|research|students?|team)"
    r" (?:would have|would never|never|always|would always|would not|wouldn't|could easily)\b",
    r"\bi (?:always|never|would always|would never) (?:do|did|write|run|report|include|check"
    r"|accept|tolerate|allow|submit|publish)\b",
    r"\bi would have (?:done|written|designed|approached|handled) (?:this|it|things|the \w+)"
    r" (?:very |completely |much )?(?:differently|better|properly)\b",
    r"\b(?:in my (?:\w+ )?(?:years|decades?|career)|after (?:\d+|many|several|decades of"
    r"|years of) (?:\w+ )?(?:years|decades|reviewing))\b",
    r"\bi (?:am|'m) (?:an?|the) (?:(?:senior|leading|well-known|established|recognized"
    r"|recognised|world|top) )*(?:expert|authority|pioneer|leader)\b",
    r"\b(?:i|we) (?:have|'ve) (?:personally )?(?:published|written|reviewed) (?:many|dozens"
    r"|hundreds|numerous|countless|more|over|scores)\b",
    r"\bas (?:someone|somebody|one|a person|a researcher|a reviewer) (?:who|that) (?:has"
    r" |have )?(?:actually |personally )?(?:published|worked|works?|written|reviewed|built|spent"
    r"|been|done|knows)\b[^.!?\n]{0,80}(?:i |i'm|i am|this|the )",
    r"\bas (?:an?|the) (?:(?:senior|leading|well-known|established|experienced|seasoned"
    r"|veteran|top|prominent) )+(?:expert|researcher|reviewer|scientist|academic|member"
    r"|person|practitioner|professor|author)\b",
    r"\bthis (?:would|will) (?:never|not) (?:pass|fly|survive|get through) (?:in |at )?(?:my"
    r"|our)\b",
)

# Claims of expertise: fine as a confidence statement, virtue signaling when they back a verdict.
EXPERTISE = _any(
    r"\bas an? (?:\w+ )?(?:expert|specialist|authority)\b",
    r"\bi (?:am|'m) (?:an?|the) (?:\w+ )?(?:expert|specialist|authority)\b",
    r"\b(?:having|i have|i've) (?:worked|published|been working|done research) (?:on|in)"
    r" (?:\w+ ){0,4}for (?:\w+ )?(?:years|decades)\b",
)

# Review boilerplate: words that say nothing checkable about this particular paper. What is
# left of a negative sentence after removing them, stop words and judgement words is its
# specific content.
BOILERPLATE = _words(
    """
    a an the this that these those it its it's they them their there here what which who whom
    whose i me my mine we us our you your he she his her one ones some any all each every both
    either neither no none nothing something anything everything much many more most less least
    few fewer several enough other others another such same own so too very really quite rather
    somewhat fairly pretty just only even also still yet already again ever never always often
    sometimes perhaps maybe probably possibly certainly definitely clearly obviously overall
    generally general basically essentially simply actually honestly frankly personally
    unfortunately however although though while whereas but and or nor if then than because as
    since so thus therefore hence moreover furthermore additionally also instead otherwise
    regarding about above across after against along among around at before behind below
    beneath beside between beyond by down during except for from in inside into like near of off
    on onto out outside over past per through throughout to toward towards under until up upon
    with within without via be is are was were been being am have has had having do does did
    done doing can could shall should will would may might must need needs needed ought not
    n't isn't aren't wasn't weren't doesn't don't didn't won't wouldn't can't cannot couldn't
    shouldn't hasn't haven't hadn't let lets make makes made making get gets got getting go goes
    went going see seen seem seems seemed appear appears appeared look looks looked feel feels
    felt find finds found think thinks thought believe believes say says said claim claims
    claimed read reads reading show shows showed shown showing demonstrate demonstrates
    demonstrated provide provides provided present presents presented use uses used using
    propose proposes proposed improve improves improved improvement improvements better worse
    best worst good bad well new further additional extra whole entire part parts way ways thing
    things lot lots bit point points aspect aspects level levels kind kinds sort fact case cases
    end side term terms respect regard sense place time times number amount degree extent
    paper papers work works submission submissions manuscript manuscripts article draft version
    author authors method methods methodology approach approaches technique techniques model
    models framework frameworks system systems algorithm algorithms idea ideas contribution
    contributions novelty originality significance quality clarity writing written write
    presentation organization organisation structure exposition explanation explanations
    explain explained explaining experiment experiments experimental experimentation evaluation
    evaluations evaluate evaluated results result findings finding performance analysis analyses
    discussion discussions discussed discuss section sections detail details detailed argument
    arguments motivation motivated motivate justification justified justify evidence support
    supported supports comparison comparisons compare compared comparing baseline baselines
    benchmark benchmarks benchmarking dataset datasets data setup setups setting settings study
    studies theory theoretical proof proofs math mathematical mathematics formulation notation
    figure figures table tables plot plots graph graphs visual visuals text language english
    grammar typos typo prior previous existing related literature field area community state
    art sota impact problem problems issue issues task tasks application applications scope
    content reader readers reviewer reviewers review reviews me concern concerns concerned
    worry worried understand understanding follow following followed convince convinced
    convincing clarify clarified clarification done overall main major minor key central
    primary important significant serious big biggest small large larger high higher low lower
    strong stronger weak weaker clear clearer unclear hard difficult easy simple complex
    interesting novel original thorough careful rigorous solid sound convincing limited
    insufficient lacking missing poor poorly lack lacks lacked incremental marginal
    somewhat bit respect question questions answer answers reason reasons explanation example
    examples instance necessary needed required sufficient adequate appropriate proper properly
    enough real truly true false correct incorrect wrong right fine okay ok nice great excellent
    impressive useful valuable helpful practical relevant contribution novel state-of-the-art
    done job effort attempt attempts try tried trying point claim statement statements
    conclusion conclusions discussion body content overall standpoint perspective view opinion
    believe feel impression expectation expectations expected expect hope hoped wish
    demonstrate demonstration validate validation validated justify verify verified empirical
    empirically experimentally theoretically technically technical practice practically
    general generic specific particular certain various different similar previous recent
    current future proposed presented given provided shown reported
    ready publication publish published venue conference journal workshop acceptance accept
    accepted reject rejected rejection recommend recommendation score rating borderline form
    stage shape polish polished polishing revision revise rewrite rewriting proofreading editing
    meh lackluster uninspiring unremarkable boring bland dull naive simplistic preliminary
    immature premature rushed unpolished unfinished sketchy thin light modest little
    unimpressive uninteresting unsurprising overcomplicated complicated heavy verbose wordy
    redundant repetitive arbitrary unprincipled ad hoc add adding added include including
    included address addressed addressing consider considered considering report reported
    reporting mention mentioned cite cited run ran test tested testing ignore ignores ignored
    ignoring overlook overlooked neglect neglected omit omitted omits miss misses missed
    explain explaining clarifying elaborate elaborating expand expanding strengthen
    strengthened improve improving polishing job lose lost confuse confusing confused
    disappoint disappointing disappointed struggle struggled struggling fail fails failed
    failing falls fall short shortcomings drawbacks weaknesses weakness strengths strength
    rigour rigor accuracy performance gains gain numbers number quantitative qualitative
    choices choice design decisions decision components component aspect
    sure unsure reader's readers' authors' paper's reviewer's
    protocol story narrative implementation implemented ablation ablations architecture
    architectural introduction abstract conclusion appendix supplement supplementary title
    preliminaries background drawn draw expert experts non-expert non-experts why how when
    where whether whatever limitation limitations describe described description descriptions
    depth insight insights execution executed chosen choose lean leaning practitioners users
    people community start finish beginning field fields areas promises promise promised
    value merit merits substance contributes contribute offers offer brings bring adds
    anyone everyone someone nobody anybody
    """
)

# Acronyms that name a whole field rather than anything checkable.
GENERIC_ACRONYMS = _words(
    "ai ml dl nn nns cnn cnns gan gans rnn rnns rl nlp cv sota llm llms imo imho afaik btw nb ps "
    "ok tl dr phd"
)

# Aspects that make praise a real strength ("the ablations are thorough"); bare praise of "the
# paper" or "the idea" is not one.
ASPECTS = _words(
    """
    written writing presentation presented exposition organized organised structured clarity
    motivation motivated experiments experiment experimental evaluation evaluations results
    ablation ablations analysis analyses theory theoretical proof proofs derivation derivations
    code implementation figures figure visualizations visualization illustrations related
    baselines baseline datasets dataset comparisons comparison formulation math notation
    reproducibility appendix supplementary limitations discussion framing insight insights
    empirical intuition examples explanation explanations
    """
)

# Reference to a numbered part of the paper: "Section 4", "Fig. 2b", "Eq. (3)", "Table A.1".
REFERENCE = (
    r"\b(?:(?:sec(?:tion)?s?|§|fig(?:ure)?s?|tab(?:le)?s?|eqn?s?|equations?|appendix|appendices"
    r"|app|alg(?:orithm)?s?|lines?|l|pages?|pp?|lemmas?|lem|theorems?|thm|props?|propositions?"
    r"|corollary|cor|definitions?|def|assumptions?|claims?|steps?|rows?|columns?|col|remarks?"
    r"|paragraphs?|para|chapters?|ch|footnotes?|supplement(?:ary)?(?: material)?)(?:\.\s*|\s+)"
    r"\(?[a-z]?\d|(?:appendix|appendices|app|supplement(?:ary)?(?: material)?)(?:\.\s*|\s+)"
    r"[a-z]\b|(?:sec(?:tion)?s?|tab(?:le)?s?|theorems?|thm)(?:\.\s*|\s+)[ivx]+\b)"
)
DIGIT = r"\d"
QUOTES = (r"[\"“][^\"“”]{4,}[\"”]", r"‘[^‘’]{4,}’", r"(?<!\w)'[^']{8,}'(?!\w)")
QUOTE = Lexicon(*QUOTES)
CITATION = (r"\[[\w\s,;.-]{1,40}\]", r"\bet al\b", r"\barxiv\b")
COUNTED = (
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|a single|single|a handful of|a couple"
    r" of|a few)\s+(?:\w+\s+)?(?:datasets?|seeds?|runs?|baselines?|tasks?|benchmarks?|domains?"
    r"|languages?|environments?|games?|images?|examples?|samples?|layers?|models?|architectures?"
    r"|trials?|settings?|metrics?|classes?|subjects?|scenes?|random|splits?|folds?|ablations?)\b"
)

# Anything checkable: a numbered reference, a number, a quotation, a citation, a counted thing,
# an example, or a pointer to another part of the review.
ANCHORS = Lexicon(
    REFERENCE,
    DIGIT,
    *CITATION,
    COUNTED,
    *QUOTES,
    r"\bfor (?:example|instance)\b",
    r"\be\.g\.",
    r"\b(?:in particular|specifically|namely)\b",
    r"\b(?:discussed|mentioned|listed|described|noted|raised|detailed|explained) (?:above"
    r"|earlier|below|before)\b",
)

# Words: a letter, then word characters, apostrophes and hyphens, ending on a word character.
# The matcher splits every text into these words as it looks for the phrases above.
WORD = matcher.WORD

# Subject words of a vague negative, mapped to what a concrete rewrite would name.
ADVICE: tuple[tuple[frozenset[str], str], ...] = (
    (
        _words("novelty novel original originality incremental contribution contributions new"),
        "Cite the prior work you have in mind and say what it already does, e.g. 'The "
        "upsampling layer is the learned deconvolution of Long et al. (2015); what is new here?'",
    ),
    (
        _words(
            "writing written presentation clarity clear unclear follow read readable notation "
            "exposition organization organisation structure confusing dense"
        ),
        "Quote the passage or name the section that lost you and say what you could not follow, "
        "e.g. 'Section 3.2 uses k for both the kernel size and the stride.'",
    ),
    (
        _words("experiments experiment experimental evaluation evaluated empirical"),
        "Name the experiment or table and what is missing from it: a baseline, a dataset, "
        "seeds, a number, e.g. 'Table 2 lacks a comparison with bilinear upsampling.'",
    ),
    (
        _words("results result performance gains gain improvement improvements numbers"),
        "Give the number that worries you and what it should be compared with, e.g. 'The 0.3 dB "
        "gain in Table 3 is within the seed-to-seed spread reported in the appendix.'",
    ),
    (
        _words("baselines baseline comparison comparisons compared compare benchmark benchmarks"),
        "Name the baseline or benchmark that is missing and why it matters, e.g. 'Compare with "
        "sub-pixel convolution (Shi et al., 2016), the usual alternative.'",
    ),
    (
        _words("theory theoretical proof proofs analysis derivation math mathematical bound"),
        "Point to the step of the argument that fails, e.g. 'The proof of Lemma 2 assumes the "
        "kernel is invertible, which stride 2 breaks.'",
    ),
    (
        _words("motivation motivated motivate"),
        "Say which question or application the paper leaves unmotivated, and what would "
        "motivate it for you.",
    ),
    (
        _words("related literature prior previous existing"),
        "Cite the papers that are missing from the related work and say how they relate.",
    ),
)
DEFAULT_ADVICE = (
    "Point to something checkable: a section, figure, table, equation, number, baseline or "
    "dataset, or say concretely what you would change, e.g. 'Table 2 lacks a comparison with "
    "the bilinear-upsampling baseline of Section 4.'"
)
