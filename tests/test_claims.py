"""Claim extraction: which numbers of an abstract are results, and how they read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertriage import claims
from papertriage.claims import analyse_numbers, canonical_metric, extract_claims, known_metrics
from papertriage.parsers import read_source

from .conftest import EXAMPLE


def _rows(text: str) -> list[tuple]:
    return [(c.metric, c.value, c.unit, c.kind, c.dataset) for c in extract_claims(text)]


# sentence -> [(metric, value, unit, kind, dataset), ...] in text order
CASES = [
    # levels reached: metric before or after the number
    ("We achieve an accuracy of 77.33% on ImageNet.", [("accuracy", 77.33, "%", "absolute", "ImageNet")]),
    ("Our model reaches 77.33% top-1 accuracy on ImageNet.", [("top-1 accuracy", 77.33, "%", "absolute", "ImageNet")]),
    ("Our model achieves an ImageNet Top-1 classification accuracy of 77.33%.",
     [("top-1 accuracy", 77.33, "%", "absolute", "ImageNet")]),
    ("We achieve the state-of-the-art F1-score of 95.66% on the standard ATIS corpus.",
     [("f1", 95.66, "%", "absolute", "ATIS")]),
    ("The model achieves a median human-normalized score of 0.415 on Atari.",
     [("human-normalized score", 0.415, None, "absolute", "Atari")]),
    ("Our approach achieves state-of-the-art results of FID=1.42 using guidance.", [("fid", 1.42, None, "absolute", None)]),
    ("The method achieves 25.9 BLEU on the test set.", [("bleu", 25.9, None, "absolute", None)]),
    ("The system achieves 9.80 dB of average SDR on MUSDB18HQ.", [("sdr", 9.8, "dB", "absolute", "MUSDB18HQ")]),
    ("It maintains a high inference speed of over 600fps.", [("fps", 600.0, "fps", "absolute", None)]),
    ("The codec runs with only 4 ms algorithmic delay.", [("latency", 4.0, None, "absolute", None)]),
    ("The AUC was 0.963 ± 0.004 on the test set.", [("auc", 0.963, None, "absolute", None)]),
    # ranges and lists: one claim per number
    ("This technique results in a 6% to 20% drop in perplexity.",
     [("perplexity", 6.0, "%", "relative", None), ("perplexity", 20.0, "%", "relative", None)]),
    ("The best model improves perplexity from 6.03 to 5.7 on the Penn Treebank.",
     [("perplexity", 6.03, None, "absolute", "Penn Treebank"), ("perplexity", 5.7, None, "absolute", "Penn Treebank")]),
    ("Experiments using all labeled data of Librispeech achieve a WER of 1.8/3.3 on the clean/other test sets.",
     [("wer", 1.8, None, "absolute", None), ("wer", 3.3, None, "absolute", None)]),
    ("We examined test-set EM and F1 scores; our ensemble scored 87.117 and 90.306, respectively.",
     [("em", 87.117, None, "absolute", None), ("f1", 90.306, None, "absolute", None)]),
    ("The validation scores are 86%, 77% and 72% Dice scores for the three classes.",
     [("dice", 86.0, "%", "absolute", None), ("dice", 77.0, "%", "absolute", None), ("dice", 72.0, "%", "absolute", None)]),
    ("It reaches 70.0% and 81.7% in top-1 accuracy on SSv2 and Kinetics-400.",
     [("top-1 accuracy", 70.0, "%", "absolute", "SSv2"), ("top-1 accuracy", 81.7, "%", "absolute", "Kinetics-400")]),
    ("We reach an adversarial accuracy of approx72% (CIFAR-10) and approx48% (CIFAR-100).",
     [("accuracy", 72.0, "%", "absolute", "CIFAR-10"), ("accuracy", 48.0, "%", "absolute", "CIFAR-100")]),
    # changes: relative claims
    ("On the Penn Treebank, DeFINE improves AWD-LSTM by 4 points.", [("score", 4.0, "points", "relative", "Penn Treebank")]),
    ("DeFINE improves the efficiency of the Transformer model by about 1.4 times while delivering similar performance.",
     [("efficiency", 1.4, "x", "relative", None)]),
    ("Our method can speed up training by over 17.5x.", [("speedup", 17.5, "x", "relative", None)]),
    ("PlanT is 5.3x faster than pixel-based planning baselines.", [("speedup", 5.3, "x", "relative", None)]),
    ("We obtain substantial improvements on the IWSLT task (+2.1 BLEU).", [("bleu", 2.1, "points", "relative", "IWSLT")]),
    ("MaxInfo achieves a 3.28% improvement on LongVideoBench.", [("score", 3.28, "%", "relative", "LongVideoBench")]),
    ("It also reduces the parameters with a 17% reduction in parameters.", [("parameters", 17.0, "%", "relative", None)]),
    ("The network only uses 29% network parameters than the best published method.",
     [("parameters", 29.0, "%", "relative", None)]),
    ("MATE reduces word error rate (WER) by 4%-16% on in-domain data.",
     [("wer", 4.0, "%", "relative", None), ("wer", 16.0, "%", "relative", None)]),
    ("The model is 3 times smaller in terms of the network parameters.", [("parameters", 3.0, "x", "relative", None)]),
    ("It reduces the number of parameters by a factor of 20.", [("parameters", 20.0, "x", "relative", None)]),
    ("The decoder-only model outperforms previous methods by 1.5 to 3.5 dB PSNR.",
     [("psnr", 1.5, "dB", "relative", None), ("psnr", 3.5, "dB", "relative", None)]),
    ("DSTA achieves an 8.9 mAP improvement on PoseTrack2017.", [("map", 8.9, "points", "relative", "PoseTrack2017")]),
    ("It is more than 10 points better in terms of driving score than the state of the art.",
     [("driving score", 10.0, "points", "relative", None)]),
    ("It achieves up to ~3.7x throughput increase on a single GPU.", [("throughput", 3.7, "x", "relative", None)]),
    ("The method achieves a 28% improvement in robustness.", [("robustness", 28.0, "%", "relative", None)]),
    ("We achieved top-1 and top-5 error rates of 37.5% and 17.0%, respectively.",
     [("error", 37.5, "%", "absolute", None), ("error", 17.0, "%", "absolute", None)]),
    ("It achieved an accuracy rate of 91.99% against 91.84% and 90.58% for the baselines.",
     [("accuracy", 91.99, "%", "absolute", None), ("accuracy", 91.84, "%", "absolute", None),
      ("accuracy", 90.58, "%", "absolute", None)]),
    ("We improve the perplexities on Penn Treebank and WikiText-2 to 47.69 and 40.68 respectively.",
     [("perplexity", 47.69, None, "absolute", "Penn Treebank"), ("perplexity", 40.68, None, "absolute", "WikiText-2")]),
    ("We achieve 1.27 bits/char on text8 and 1.24 bits/char on Hutter Prize.",
     [("bpc", 1.27, None, "absolute", "text8"), ("bpc", 1.24, None, "absolute", "Hutter Prize")]),
    ("The system achieves 93.6 F 1 with supervised reranking.", [("f1", 93.6, None, "absolute", None)]),
    ("Its reports have a higher level of approval by doctors (3.74 out of 5 for CLARA vs 2.52 out of 5 for the baseline).",
     [("score", 3.74, None, "absolute", None), ("score", 2.52, None, "absolute", None)]),
    ("It requires only about 20 seconds to produce a textured mesh.", [("latency", 20.0, None, "absolute", None)]),
    ("Our placer outperforms the leading work with 37.15% shorter wirelength.",
     [("wirelength", 37.15, "%", "relative", None)]),
    ("At a 1% bit error rate, we achieve 0.5% lower error than the baseline.",
     [("error", 0.5, "%", "relative", None)]),
    # the metric named in the number's own sentence, after a comma ("..., with increases of")
    ("Our tool achieves MAP improvements of 23.33-38.57%. Similar gains were observed in MRR, with increases of "
     "25.14-53.74% at both levels.",
     [("map", 23.33, "%", "relative", None), ("map", 38.57, "%", "relative", None),
      ("mrr", 25.14, "%", "relative", None), ("mrr", 53.74, "%", "relative", None)]),
    # numbers with a name in parentheses still form a group, and the metric after it applies
    ("VLMs achieve only 49% (CLIP) to 54% (BLIP-2) accuracy on directional relationships.",
     [("accuracy", 49.0, "%", "absolute", "CLIP"), ("accuracy", 54.0, "%", "absolute", "BLIP-2")]),
    ("This model achieves Dice scores of 0.929 (WT), 0.856 (TC), and 0.821 (ET).",
     [("dice", 0.929, None, "absolute", "WT"), ("dice", 0.856, None, "absolute", "TC"),
      ("dice", 0.821, None, "absolute", "ET")]),
    # "gains, up to N%": the clause before the comma makes them changes
    ("Our models achieve substantial gains, up to 34.50% in accuracy, 34.71% in F1, and a 37.42% reduction in false "
     "positives.",
     [("accuracy", 34.5, "%", "relative", None), ("f1", 34.71, "%", "relative", None),
      ("false positives", 37.42, "%", "relative", None)]),
    # an aside about the last number does not make the next one a change
    ("We achieve 0.674 AUROC (34.0% improvement over baselines) and 0.583 AUROC.",
     [("auc", 0.674, None, "absolute", None), ("auc", 34.0, "%", "relative", None),
      ("auc", 0.583, None, "absolute", None)]),
    # singular "parameter" is no parameter count; "execution success" is a success rate
    ("Visual parameter extraction reduces execution success by 12-21 percentage points.",
     [("success rate", 12.0, "points", "relative", None), ("success rate", 21.0, "points", "relative", None)]),
    # a percentage with a noun of its own takes no metric from other claims
    ("Our detector reaches an AUROC of 0.91. At that threshold we achieve 61.9% coverage on BLIP-2.",
     [("auc", 0.91, None, "absolute", None), ("score", 61.9, "%", "absolute", "BLIP-2")]),
    ("The system achieves 73.2% emotion recognition accuracy and 89.4% response mode consistency.",
     [("accuracy", 73.2, "%", "absolute", None), ("score", 89.4, "%", "absolute", None)]),
    # ... unless the noun is the acronym the text gave a known metric
    ("It achieves 96% attack success rate (ASR) on HarmBench. It also achieves 100% ASR on GPT-4o.",
     [("success rate", 96.0, "%", "absolute", "HarmBench"), ("success rate", 100.0, "%", "absolute", "GPT-4o")]),
    # parallel claims: "by N points on A and M points on B"
    ("It improves execution accuracy by up to 5.0 points on Bird and 6.9 points on MMQA.",
     [("accuracy", 5.0, "points", "relative", "Bird"), ("accuracy", 6.9, "points", "relative", "MMQA")]),
    ("On STaRK, ARK reaches 67.4 average MRR.", [("mrr", 67.4, None, "absolute", "STaRK")]),
    ("The XGBoost method was the most reliable model with an AUC of 0.64 and an accuracy of 84.5%.",
     [("auc", 0.64, None, "absolute", None), ("accuracy", 84.5, "%", "absolute", None)]),
    # "N% smaller <Name>" is smaller in parameters
    ("Pruning yields a model that is 2.4x faster, a 74% smaller BERT.",
     [("speedup", 2.4, "x", "relative", None), ("parameters", 74.0, "%", "relative", None)]),
    # not numeric
    ("On WikiText-103, DeFINE reduces the total parameters of Transformer-XL by half with minimal impact.", []),
    # kind: "from" before a change ("suffers from a 15.4% higher FRR"); a hedge after the metric is no change
    ("The baseline suffers from a 15.4% higher FRR.", [("fnr", 15.4, "%", "relative", None)]),
    ("The method achieves an average F1-score exceeding 98% for endpoint method inference.",
     [("f1", 98.0, "%", "absolute", None)]),
    # a change named a few words before a colon; the value in parentheses is the level reached
    ("Cross-sensory training achieves substantial improvements over individual training: 31% in MRR (0.474), "
     "43% in Hit@1 (0.314).",
     [("mrr", 31.0, "%", "relative", None), ("mrr", 0.474, None, "absolute", None),
      ("hits", 43.0, "%", "relative", None), ("hits", 0.314, None, "absolute", None)]),
    ("The latency is comparable (180 ms vs 200 ms) while accuracy improves by 2%.",
     [("latency", 180.0, None, "absolute", None), ("latency", 200.0, None, "absolute", None),
      ("accuracy", 2.0, "%", "relative", None)]),
    ("SAS achieves 94% detection rates while maintaining performance overhead below 9% for inference latency.",
     [("detection rate", 94.0, "%", "absolute", None), ("latency", 9.0, "%", "relative", None)]),
    # a change of something no known metric names: the thing is the metric
    ("Semantic caching achieves a 41.6% reduction in LLM calls.", [("llm calls", 41.6, "%", "relative", None)]),
    ("It achieves a 5.4% increase in prediction accuracy and 5.7% improvement in uncertainty quantification.",
     [("accuracy", 5.4, "%", "relative", None), ("uncertainty quantification", 5.7, "%", "relative", None)]),
    ("We report an improvement of 15-25% in the cut value.",
     [("cut value", 15.0, "%", "relative", None), ("cut value", 25.0, "%", "relative", None)]),
    ("It reduces total emissions by up to 9% while only increasing the transportation distance by 2.1%.",
     [("emissions", 9.0, "%", "relative", None), ("transportation distance", 2.1, "%", "relative", None)]),
    ("PVF reduces the Number of Function Evaluations (NFE) by up to 65% compared to confidence-based decoding.",
     [("nfe", 65.0, "%", "relative", None)]),
    ("It reaches an 80% higher attack success rate, increasing ASR by 64% over GCG.",
     [("success rate", 80.0, "%", "relative", "GCG"), ("success rate", 64.0, "%", "relative", "GCG")]),
    # ... but not what is improved (a task, a model) nor a clause before another change
    ("The detector improves tracking by up to 18.9%.", [("score", 18.9, "%", "relative", None)]),
    ("It reduces parameters by 40% and accelerates inference by up to 60x.",
     [("parameters", 40.0, "%", "relative", None), ("speedup", 60.0, "x", "relative", None)]),
    # metric families: calibration error, Hausdorff distance, energy efficiency, mAP@0.5
    ("HVT achieves 3.56% ECE (1.52% after temperature scaling).",
     [("ece", 3.56, "%", "absolute", None), ("ece", 1.52, "%", "absolute", None)]),
    ("The model achieves Dice scores of 0.929, with HD95 distances of 2.93 and 6.78 voxels.",
     [("dice", 0.929, None, "absolute", None), ("hd95", 2.93, None, "absolute", None),
      ("hd95", 6.78, None, "absolute", None)]),
    ("EIE is 24,000x and 3,000x more energy efficient than a CPU and GPU respectively.",
     [("efficiency", 24000.0, "x", "relative", None), ("efficiency", 3000.0, "x", "relative", None)]),
    ("It maintains global detection accuracy (89.20% mAP@0.5).", [("map", 89.2, "%", "absolute", None)]),
    # a programming language is no dataset
    ("The best system achieves only 23.67% Pass@1 on Python and 21.45% on Java.",
     [("pass@k", 23.67, "%", "absolute", None), ("pass@k", 21.45, "%", "absolute", None)]),
    # degrees as arXiv writes them, and as many datasets named before as numbers
    ("Evaluated on MPIIFaceGaze, EYEDIAP and Gaze360, our model achieves angular errors of 2.49{\\deg}, "
     "3.22{\\deg} and 10.16{\\deg}.",
     [("error", 2.49, None, "absolute", "MPIIFaceGaze"), ("error", 3.22, None, "absolute", "EYEDIAP"),
      ("error", 10.16, None, "absolute", "Gaze360")]),
    # a dataset named in parentheses for one number of a list is not the next claim's
    ("It achieves Dice scores of 0.929 (WT) and 0.856 (TC), with HD95 distances of 2.93 voxels.",
     [("dice", 0.929, None, "absolute", "WT"), ("dice", 0.856, None, "absolute", "TC"),
      ("hd95", 2.93, None, "absolute", None)]),
    # a number with a citation is another paper's
    ("Recent reports show a 220% increase in AI/ML vulnerabilities [5]. Our tool achieves 94% accuracy.",
     [("accuracy", 94.0, "%", "absolute", None)]),
]

NEGATIVES = [
    "We fine-tune the 2.7B OPT model and a 13B variant.",
    "We train a multilingual model on 7 languages with 12 layers.",
    "The shared task was introduced in 2020 and revisited in 2023.",
    "We evaluate on SQuAD2.0 and compare against wav2vec 2.0 and GPT-4.",
    "The encoder works by consistently masking 90% of pixel channels.",
    "The corpus contains 1M images and 4.6M audio-text pairs.",
    "Data augmentation was studied before [12], (Smith et al., 2020).",
    "LLMs only see a small fraction of the datasets (e.g., less than 10%).",
    "The model is trained on Brats2018, and 20% of the dataset is the validation set.",
    "We repeat all experiments 10 times and report the mean.",
    "We use 16x16 patches and a batch size of 256 with k=1.",
    "The code is at https://github.com/org/repo-2.0/tree/v1.5 and arXiv:2301.12345.",
    "We find that user preference favors (p < 0.01) the generated prompts.",
    "Our approach outperforms baselines on 7 out of 26 games.",
    "Models trained on 5-digit numbers generalize to 15-digit sums.",
    "It is worth noting that the inter-annotator agreement on this data set is 84%.",
    "The attention layer has $\\Theta(Hd^2)$ parameters for a context size $n < d$.",
    "DataMUX can multiplex up to 20x/40x inputs.",
    "It is NP-hard to obtain an approximation ratio better than 4/3.",
    "The spread across users is large (\\sigma = 9.52%).",
    "The scheme improves the 95%-likely per-user rate.",
    "The gap distance was lower (mean [95%CI]: 1.8 meters) with a 95% confidence interval of 1.2-2.3.",
    "Models were trained with $\\lambda = 0.5$ and $k \\geq 3$ on 2 GPUs.",
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_sentence_claims(text: str, expected: list[tuple]) -> None:
    assert _rows(text) == expected


@pytest.mark.parametrize("text", NEGATIVES, ids=[t[:50] for t in NEGATIVES])
def test_not_claims(text: str) -> None:
    assert extract_claims(text) == []


DEFINE = (
    "For sequence models with large vocabularies, a majority of network parameters lie in the input and output layers. "
    "Compared to state-of-the-art methods including adaptive input representations, this technique results in a 6% to "
    "20% drop in perplexity. On WikiText-103, DeFINE reduces the total parameters of Transformer-XL by half with minimal "
    "impact on performance. On the Penn Treebank, DeFINE improves AWD-LSTM by 4 points with a 17% reduction in "
    "parameters, achieving comparable performance to state-of-the-art methods with fewer parameters. For machine "
    "translation, DeFINE improves the efficiency of the Transformer model by about 1.4 times while delivering similar "
    "performance."
)


def test_worked_example_define() -> None:
    # LABELS.md: the "4 points" are perplexity points, as in the sentence before.
    assert _rows(DEFINE) == [
        ("perplexity", 6.0, "%", "relative", None),
        ("perplexity", 20.0, "%", "relative", None),
        ("perplexity", 4.0, "points", "relative", "Penn Treebank"),
        ("parameters", 17.0, "%", "relative", "Penn Treebank"),
        ("efficiency", 1.4, "x", "relative", None),
    ]


def _bundled_abstracts() -> list[str]:
    return EXAMPLE.read_text(encoding="utf-8").split("\n")[2:][1::2]


def test_worked_example_bytes_are_all_you_need() -> None:
    abstract = _bundled_abstracts()[7]
    assert abstract.startswith("Modern deep learning approaches")
    assert _rows(abstract) == [
        ("top-1 accuracy", 77.33, "%", "absolute", "ImageNet"),
        ("accuracy", 72.2, "%", "absolute", "ImageNet"),
        ("accuracy", 95.42, "%", "absolute", "Speech Commands v2"),
        ("accuracy", 98.7, "%", "absolute", "Speech Commands v2"),
        ("accuracy", 71.35, "%", "absolute", "ImageNet"),
    ]


def test_skipped_numbers_say_why() -> None:
    text = (
        "We fine-tune the 2.7B OPT model on 7 languages since 2020 with SQuAD2.0, masking 90% of pixels "
        "of 1M images [12], and reach 95.2% accuracy."
    )
    claims, skipped = analyse_numbers(text)
    assert [(c.metric, c.value) for c in claims] == [("accuracy", 95.2)]
    reasons = {s.text: s.reason for s in skipped}
    assert reasons == {
        "2.7": "size",
        "7": "count",
        "2020": "year",
        "2.0": "version",
        "90": "setting",
        "1": "dataset-size",
        "12": "citation",
    }
    for s in skipped:
        assert text[s.start : s.end] == s.text


def test_claim_text_is_the_span_and_holds_the_number() -> None:
    for abstract in _bundled_abstracts():
        claims, skipped = analyse_numbers(abstract)
        for c in claims:
            assert c.text == abstract[c.start : c.end]
            assert any(form in c.text for form in {f"{c.value:g}", f"{c.value}", f"{c.value:.2f}".rstrip("0")}), c
        for s in skipped:
            assert s.text == abstract[s.start : s.end]


def test_spans_index_the_original_text_with_case_changing_characters() -> None:
    # "İ".lower() is two characters long: offsets must still index the original text.
    text = "İİİ İstanbul: our parser reaches an accuracy of 91.5% on İMDB. SCORE: 3.2 BLEU."
    claims = extract_claims(text)
    assert [(c.metric, c.value) for c in claims] == [("accuracy", 91.5), ("bleu", 3.2)]
    for c in claims:
        assert c.text == text[c.start : c.end]


def test_extract_claims_is_analyse_numbers_without_the_skipped() -> None:
    for abstract in _bundled_abstracts()[:60]:
        assert extract_claims(abstract) == analyse_numbers(abstract)[0]


def test_empty_and_numberless_abstracts() -> None:
    assert extract_claims("") == []
    assert analyse_numbers("") == ([], [])
    assert analyse_numbers("No numbers here at all.") == ([], [])


_PIECES = list("0123456789.,%x$-+~()[]/ \n=<±^_\\aAbBdDeEfFkKmMsStTİ") + [
    " accuracy ", " of ", " by ", " BLEU ", " WER ", " times ", " points ", " on ImageNet", " improvement ", "e.g. ",
    " respectively", " from ", " to ", ". ", "https://x.io/", "$",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=80).map("".join))
def test_never_crashes_and_spans_hold(text: str) -> None:
    claims, skipped = analyse_numbers(text)
    for c in claims:
        assert c.text == text[c.start : c.end]
        assert c.kind in ("absolute", "relative")
        assert c.unit in (None, "%", "x", "fps", "points", "dB")
    for s in skipped:
        assert s.text == text[s.start : s.end]


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Top-1 Acc", "top-1 accuracy"),
        ("top1 accuracy", "top-1 accuracy"),
        ("top-5", "top-5 accuracy"),
        ("word error rate", "wer"),
        ("WER", "wer"),
        ("wer", "wer"),
        ("character error rate", "cer"),
        ("F1-score", "f1"),
        ("f1 scores", "f1"),
        ("Exact Match", "em"),
        ("EM", "em"),
        ("BLEU-4", "bleu"),
        ("ROUGE-L", "rouge-l"),
        ("ppl", "perplexity"),
        ("mAP", "map"),
        ("mean IoU", "miou"),
        ("IoU", "iou"),
        ("PSNR", "psnr"),
        ("Frechet Inception Distance", "fid"),
        ("AUROC", "auc"),
        ("Dice coefficient", "dice"),
        ("Spearman correlation", "correlation"),
        ("success rate", "success rate"),
        ("speed-up", "speedup"),
        ("GFLOPs", "flops"),
        ("frames per second", "fps"),
        ("inference time", "latency"),
        ("number of parameters", "parameters"),
        ("parameter", "parameters"),
        ("attack success rate", "success rate"),
        ("memory_usage", "memory"),
        ("Training Time", "training time"),
        ("score", "score"),
    ],
)
def test_canonical_metric(typed: str, canonical: str) -> None:
    assert canonical_metric(typed) == canonical


@pytest.mark.parametrize("typed", ["", "  ", "banana", "speach", "top-3"])
def test_canonical_metric_unknown(typed: str) -> None:
    assert canonical_metric(typed) is None


def test_known_metrics_cover_the_labelling_conventions() -> None:
    names = known_metrics()
    assert len(names) == len(set(names))
    for name in (
        "accuracy", "top-1 accuracy", "top-5 accuracy", "f1", "em", "bleu", "rouge", "rouge-l", "perplexity", "wer",
        "cer", "map", "miou", "iou", "psnr", "ssim", "fid", "auc", "dice", "precision", "recall", "correlation",
        "success rate", "completion rate", "error", "speedup", "efficiency", "parameters", "flops", "latency", "fps",
        "throughput", "memory", "training time", "score",
    ):
        assert name in names
        assert canonical_metric(name) == name


def test_scientific_notation_is_not_a_claim():
    from papertriage.claims import analyse_numbers

    text = "the rotation slows at about -4.38 x 10^(-22) rad s^(-2), and the rate is 1.2\u00d710^{5}; accuracy improves by 5%."
    claims, skipped = analyse_numbers(text)
    assert [(c.metric, c.value) for c in claims] == [("accuracy", 5.0)]
    assert {s.text: s.reason for s in skipped}["4.38"] == "math"


# -- the vocabulary's word patterns --------------------------------------------

_CUE_LISTS = ("generic_metric_heads", "result_cues", "reference_cues", "training_cues", "dataset_nouns", "weak_metrics")


def _plain_and_fast(key: str, not_before: str) -> tuple[object, object]:
    import re

    words = sorted({str(w).lower() for w in claims._load_metrics_yaml()[key]})
    plain = re.compile("(?<!" + not_before + ")(?:" + claims._trie_regex(words) + r")(?![\w\-])")
    fast = re.compile(claims._word_start_regex(words, not_before) + r"(?![\w\-])")
    return plain, fast


_CUE_WORDS = sorted({str(w).lower() for key in _CUE_LISTS for w in claims._load_metrics_yaml()[key]})


@pytest.mark.parametrize("key", _CUE_LISTS)
def test_word_patterns_with_the_look_behind_moved_find_the_same_matches(key):
    plain, fast = _plain_and_fast(key, r"[\w\-@]")
    texts = [r.abstract.lower() for r in read_source(str(EXAMPLE))]
    texts += ["-" + w + " x" + w + " @" + w + "\n" + w + "s " + w for w in _CUE_WORDS]
    for text in texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in fast.finditer(text, 5, len(text) - 3)] == [m.span() for m in plain.finditer(text, 5, len(text) - 3)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_CUE_WORDS), st.sampled_from([" ", "-", "@", "x", "\n", "é", "_"])), max_size=30))
def test_word_patterns_agree_on_generated_text(pieces):
    text = "".join(pieces)
    for key in ("generic_metric_heads", "reference_cues"):
        plain, fast = _plain_and_fast(key, r"[\w\-]")
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
