"""Checks of notebook 06: 06.sequence_shapes and 06.stacked_lstm."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from coursekit.checks import check, get_check

#: The questions and experiment checks measure models on MNIST images they load themselves.
pytestmark = pytest.mark.usefixtures("mirror_for_checks")


def run(check_id, answer):
    return get_check(check_id).run(answer)


def _todo(*args):
    raise NotImplementedError()


# --------------------------------------------------------------------------- #
# 06.sequence_shapes
# --------------------------------------------------------------------------- #

def to_rows(x):  # the solution
    return x.reshape(len(x), 28, 28)


def test_sequence_shapes_passes_on_the_solution(capsys):
    verdict = run("06.sequence_shapes", to_rows)
    assert verdict.passed and verdict.points == 1, verdict
    check("06.sequence_shapes", to_rows)
    assert capsys.readouterr().out.startswith("✅ [06.sequence_shapes] 1/1")
    assert run("06.sequence_shapes", lambda x: np.reshape(x, (-1, 28, 28))).passed


@pytest.mark.parametrize("answer, message, hint", [
    (lambda x: x.reshape(len(x), 784, 1), "pixel sequence", "one row of 28 pixels"),
    (lambda x: x.reshape(len(x), 28, 28, 1), "without a channel axis", "(N, 28, 28)"),
    (lambda x: x.reshape(3, 28, 28), "failed for a single image", "number of images"),
    (lambda x: x.reshape(60000, 28, 28), "failed for 3 images", "number of images"),
    (lambda x: x.reshape(len(x), 28, 28).transpose(0, 2, 1), "column by column", "transpose"),
    (lambda x: x.reshape(len(x), 28, 28) / 255.0, "pixel values changed", "only reshapes"),
    (lambda x: x.reshape(len(x), 28, 28)[:, ::-1], "not row t of image i", "reading order"),
    (lambda x: x[:, :28], "expected (3, 28, 28)", "one time step per image row"),
    (lambda x: "rows", "expected (3, 28, 28)", ""),
    (lambda x: None, "not a NumPy array", "NumPy array"),
])
def test_sequence_shapes_fails_with_specific_messages(answer, message, hint):
    verdict = run("06.sequence_shapes", answer)
    assert not verdict.passed and verdict.points == 0
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    (42, "expected a function to_rows(x), got int"),
    (np.zeros((3, 28, 28)), "got ndarray"),
    (_todo, "not answered yet"),
])
def test_sequence_shapes_fails_on_wrong_objects(answer, message, capsys):
    verdict = run("06.sequence_shapes", answer)
    assert not verdict.passed and message in verdict.message, verdict.message
    check("06.sequence_shapes", answer)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "Hint:" in out


# --------------------------------------------------------------------------- #
# 06.stacked_lstm
# --------------------------------------------------------------------------- #

def build_stacked_lstm(units, num_layers):  # the solution
    layers = [keras.Input(shape=(28, 28))]
    for i in range(num_layers):
        layers.append(keras.layers.LSTM(units, return_sequences=i < num_layers - 1))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


def _stack(units, num_layers, *, shape=(28, 28), flags=None, head=None, unit_list=None,
           extra=()):
    flags = flags or [i < num_layers - 1 for i in range(num_layers)]
    unit_list = unit_list or [units] * num_layers
    layers = [keras.Input(shape=shape), *extra]
    layers += [keras.layers.LSTM(u, return_sequences=f)
               for u, f in zip(unit_list, flags, strict=True)]
    layers += head if head is not None else [keras.layers.Dense(10, activation="softmax")]
    return keras.Sequential(layers)


@pytest.mark.slow
def test_stacked_lstm_passes_on_the_solution(capsys):
    verdict = run("06.stacked_lstm", build_stacked_lstm)
    assert verdict.passed and verdict.points == 2, verdict
    check("06.stacked_lstm", build_stacked_lstm)
    assert capsys.readouterr().out.startswith("✅ [06.stacked_lstm] 2/2")


@pytest.mark.slow
def test_stacked_lstm_accepts_dropout_and_a_separate_softmax():
    def with_dropout(units, n):
        return _stack(units, n, extra=[keras.layers.Rescaling(1 / 255)],
                      head=[keras.layers.Dropout(0.2), keras.layers.Dense(10),
                            keras.layers.Activation("softmax")])

    assert run("06.stacked_lstm", with_dropout).passed


@pytest.mark.slow
@pytest.mark.parametrize("head", [
    lambda: [keras.layers.Dense(10, activation=tf.nn.softmax)],
    lambda: [keras.layers.Dense(10), keras.layers.Softmax()],
], ids=["tf.nn.softmax", "Softmax-layer"])
def test_stacked_lstm_accepts_every_spelling_of_softmax(head):
    assert run("06.stacked_lstm", lambda u, n: _stack(u, n, head=head())).passed


@pytest.mark.slow
@pytest.mark.parametrize("answer, message, hint", [
    (lambda u, n: _stack(u, n, shape=(784, 1)), "input shape is (None, 784, 1)",
     "keras.Input"),
    (lambda u, n: _stack(u, n, flags=[False] * n), "an LSTM received a vector (ndim=2)",
     "every LSTM but the last"),
    (lambda u, n: _stack(u, n, flags=[True] * n), "the last LSTM has return_sequences=True",
     "return_sequences of the last LSTM"),
    (lambda u, n: _stack(u, 2), "found 2 LSTM layer(s); expected num_layers = 3",
     "exactly num_layers times"),
    (lambda u, n: _stack(u, n + 1), "found 4 LSTM layer(s)", "exactly num_layers times"),
    (lambda u, n: _stack(32, n), "an LSTM has 32 units; expected units = 16", "units"),
    (lambda u, n: _stack(u, n, unit_list=[u] * (n - 1) + [10]), "an LSTM has 10 units",
     "units"),
    (lambda u, n: _stack(u, n, head=[keras.layers.Dense(10, activation="relu")]),
     "output activation is 'relu'", "activation argument of the output"),
    (lambda u, n: _stack(u, n, head=[keras.layers.Dense(1, activation="softmax")]),
     "has 1 units; expected 10", "one unit per class"),
    (lambda u, n: _stack(u, n, head=[]), "found 0 Dense layer(s)", "exactly one Dense layer"),
    (lambda u, n: _stack(u, n, head=[keras.layers.Dense(64, activation="relu"),
                                     keras.layers.Dense(10, activation="softmax")]),
     "found 2 Dense layer(s)", "exactly one Dense layer"),
    (lambda u, n: keras.Sequential([keras.Input((28, 28)), keras.layers.GRU(u),
                                    keras.layers.Dense(10, activation="softmax")]),
     "unexpected layer GRU", "keras.layers.LSTM"),
    (lambda u, n: keras.Sequential([keras.layers.LSTM(u),
                                    keras.layers.Dense(10, activation="softmax")]),
     "no input shape", "keras.Input"),
    (lambda u, n: "model", "returned str, expected a Keras model", "return the model"),
    (lambda u, n: None, "returned None", "`return`"),
])
@pytest.mark.filterwarnings("ignore:You are using a softmax over axis -1")
def test_stacked_lstm_fails_with_specific_messages(answer, message, hint):
    verdict = run("06.stacked_lstm", answer)
    assert not verdict.passed and verdict.points == 0
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


@pytest.mark.slow
def test_stacked_lstm_checks_the_single_layer_case_too():
    def always_sequences(units, n):  # right for n >= 2 only if flags are computed wrongly
        return _stack(units, n, flags=[True] * (n - 1) + [n == 1])

    verdict = run("06.stacked_lstm", always_sequences)
    assert not verdict.passed
    assert "build_stacked_lstm(8, 1)" in verdict.message, verdict.message


@pytest.mark.parametrize("answer, message", [
    (None, "got None"),
    ("lstm", "expected a function build_stacked_lstm(units, num_layers), got str"),
    (_todo, "not answered yet"),
])
def test_stacked_lstm_fails_on_wrong_objects(answer, message, capsys):
    verdict = run("06.stacked_lstm", answer)
    assert not verdict.passed and message in verdict.message, verdict.message
    check("06.stacked_lstm", answer)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "Hint:" in out


def test_stacked_lstm_fails_on_a_model_instead_of_a_function():
    verdict = run("06.stacked_lstm", build_stacked_lstm(8, 1))
    assert not verdict.passed and "got Sequential" in verdict.message


# --------------------------------------------------------------------------- #
# The grader judges evidence it saved and reloaded: the verdicts must not change
# --------------------------------------------------------------------------- #

@pytest.mark.slow
@pytest.mark.parametrize("check_id, answer", [
    ("06.sequence_shapes", to_rows),
    ("06.sequence_shapes", lambda x: x.reshape(len(x), 28, 28).transpose(0, 2, 1)),
    ("06.stacked_lstm", build_stacked_lstm),
    ("06.stacked_lstm", lambda u, n: _stack(u, n, flags=[True] * n)),
])
def test_verdicts_survive_the_graders_evidence_round_trip(tmp_path, check_id, answer):
    ks = pytest.importorskip("coursekit.instructor.grading._kernel_side")
    evidence_mod = pytest.importorskip("coursekit.instructor.grading.evidence")
    spec = get_check(check_id)
    evidence = spec.collect(answer)
    tree = ks.Encoder(str(tmp_path), 2**24).encode(evidence)
    ks.write_manifest(str(tmp_path), {"kind": "evidence", "tree": tree})
    reloaded = evidence_mod.read_outcome(tmp_path, 2**24).evidence
    assert spec.judge(reloaded) == spec.judge(evidence)


# --------------------------------------------------------------------------- #
# Issue 11: the inline questions
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("check_id, right", [
    ("06.q_steps", 784), ("06.q_steps", 784.0), ("06.q_params", 23_808),
    ("06.q_fair", "b"), ("06.q_fair", " (B) "),
])
def test_questions_accept_the_right_answer(check_id, right):
    verdict = run(check_id, right)
    assert verdict.passed and verdict.message.startswith("right: "), verdict


@pytest.mark.parametrize("check_id, wrong, message, hint", [
    ("06.q_steps", 28, "number of steps row by row", "single pixel"),
    ("06.q_steps", 785, "785 is not it", "count the pixels"),
    ("06.q_params", 23_552, "leaves out the biases", "bias per unit"),
    ("06.q_params", 5_952, "one of the LSTM's internal layers", "4 of them"),
    ("06.q_params", 7_424, "leaves out the previous output", "previous output"),
    ("06.q_params", 4_352, "4,352 is not it", "multiply by 4"),
    ("06.q_fair", "a", 'you answered "a"', "which gets further in the same time"),
    ("06.q_fair", "d", "not one of the choices", "letter"),
])
def test_questions_say_what_is_wrong_without_the_answer(check_id, wrong, message, hint):
    verdict = run(check_id, wrong)
    assert not verdict.passed
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint
    answer = get_check(check_id).answer
    given_away = ([f'"{answer}"', f"({answer})"] if isinstance(answer, str)
                  else [str(answer), f"{answer:,}"])
    assert not any(text in verdict.hint for text in given_away), verdict.hint


@pytest.mark.parametrize("check_id", ["06.q_steps", "06.q_params", "06.q_fair"])
def test_questions_fail_blank(check_id, capsys):
    check(check_id, ...)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "not answered yet" in out and "Hint:" in out


def _fake_test_set(n=10_000):
    return np.zeros((n, 28, 28), np.uint8), np.zeros(n, np.int64)


@pytest.mark.parametrize("accuracy, right", [(0.990, "a"), (0.9862, "b"), (0.985, "b"),
                                             (0.9838, "b"), (0.980, "c"), (0.10, "c")])
def test_noise_question_right_answer_follows_the_models_own_accuracy(monkeypatch, accuracy,
                                                                     right):
    from coursekit.checks import nb06

    monkeypatch.setattr(nb06, "held_out", lambda dataset, n: _fake_test_set())
    monkeypatch.setattr(nb06, "accuracy_of", lambda model, x, y: accuracy)
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    for letter in "abc":
        verdict = run("06.q_noise", {"answer": letter, "model": model})
        assert verdict.passed == (letter == right), (letter, verdict)
        if letter != right:
            assert "standard error" in verdict.hint and right not in verdict.hint.split()


@pytest.mark.parametrize("answer, message", [
    ({"answer": ..., "model": None}, "not answered yet"),
    ({"answer": "b", "model": None}, "not a trained model"),
    ({"answer": 2, "model": None}, "got int"),
    ("b", "expected a dict"),
    (None, "got None"),
])
def test_noise_question_fails_blank_and_malformed(answer, message):
    verdict = run("06.q_noise", answer)
    assert not verdict.passed and message in verdict.message, verdict.message


@pytest.mark.slow
def test_noise_question_measures_an_untrained_model_itself(shared_mirror):
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.LSTM(4),
                              keras.layers.Dense(10, activation="softmax")])
    assert run("06.q_noise", {"answer": "c", "model": model}).passed  # about 10%: far below
    assert not run("06.q_noise", {"answer": "b", "model": model}).passed


# --------------------------------------------------------------------------- #
# Issue 11: the experiment checks
# --------------------------------------------------------------------------- #

class _Timer:  # what the check reads from an EpochTimer
    def __init__(self, *seconds):
        self.epoch_seconds = list(seconds)


def _mnist(n_fit, seed=0):
    from coursekit import data

    (x_train, y_train), _ = data.load("mnist", verbose=False)
    return data.subsample(x_train[:-5000], y_train[:-5000], n=n_fit, seed=seed)


def _lstm32(shape, *, units=32, rescale=True, functional=False):
    layers = [keras.layers.Rescaling(1 / 255)] if rescale else []
    layers += [keras.layers.LSTM(units), keras.layers.Dense(10, activation="softmax")]
    if not functional:
        return keras.Sequential([keras.Input(shape), *layers])
    inputs = keras.Input(shape)
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def _fit(model, x, y, *, epochs, optimizer="adam", batch_size=128):
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
    return model


def _evidence(pixel_model, row_model, pixel_timer=None, row_timer=None):
    return {"pixel_model": pixel_model, "pixel_timer": pixel_timer or _Timer(3.0, 5.0),
            "row_model": row_model, "row_timer": row_timer or _Timer(1.0, 5.0)}


@pytest.fixture(scope="module")
def trained_pair(shared_mirror):
    """A pixel-wise LSTM(32) fitted one epoch and a row-wise one fitted 15 (quick sizes)."""
    x, y = _mnist(300)
    keras.utils.set_random_seed(0)
    pixel = _fit(_lstm32((784, 1)), x.reshape(-1, 784, 1), y, epochs=1)
    keras.utils.set_random_seed(0)
    rows = _fit(_lstm32((28, 28)), x, y, epochs=15)
    return pixel, rows


@pytest.mark.slow
def test_time_budget_passes_on_a_fair_experiment(trained_pair, capsys):
    pixel, rows = trained_pair
    verdict = run("06.time_budget", _evidence(pixel, rows))
    assert verdict.passed and verdict.points == 3, verdict
    assert "row by row wins" in verdict.message and "test images" in verdict.message


@pytest.mark.slow
def test_time_budget_accepts_the_functional_api_rmsprop_and_numpy_scaling(shared_mirror):
    x, y = _mnist(300, seed=1)
    scaled = x.astype("float32") / 255
    keras.utils.set_random_seed(1)
    pixel = _fit(_lstm32((784, 1), rescale=False, functional=True), scaled.reshape(-1, 784, 1),
                 y, epochs=1, optimizer="rmsprop")
    keras.utils.set_random_seed(1)
    rows = _fit(_lstm32((28, 28), rescale=False, functional=True), scaled, y, epochs=15,
                optimizer="rmsprop")
    verdict = run("06.time_budget", _evidence(pixel, rows))
    assert verdict.passed, verdict


def test_time_budget_fails_blank_with_a_hint(capsys):
    check("06.time_budget", _evidence(None, None, _Timer(), _Timer()))
    out = capsys.readouterr().out
    assert out.startswith("❌") and "pixel_model is None" in out and "Hint:" in out


def test_time_budget_fails_on_untrained_models():
    verdict = run("06.time_budget", _evidence(_lstm32((784, 1)), _lstm32((28, 28))))
    assert not verdict.passed and "has not been trained" in verdict.message, verdict


@pytest.mark.slow
def test_time_budget_fails_when_the_row_model_is_trained_on_too_little(trained_pair,
                                                                      shared_mirror):
    pixel, _ = trained_pair
    x, y = _mnist(32)
    keras.utils.set_random_seed(0)
    barely = _fit(_lstm32((28, 28)), x, y, epochs=1)  # one step
    verdict = run("06.time_budget", _evidence(pixel, barely))
    assert not verdict.passed
    assert "learned too little" in verdict.message or "does not beat" in verdict.message


@pytest.mark.slow
@pytest.mark.parametrize("change, message, hint", [
    ("swap", "the two models are swapped", "small_pixels"),
    ("units", "the pixel-wise LSTM has [32] units and the row-wise one [16]", "same LSTM(32)"),
    ("time", "the row-wise model trained for 20.0 s, the pixel-wise one for 5.0 s",
     "same TimeBudget"),
    ("flat", "pixel_model takes inputs of shape (784,)", "small_pixels.shape[1:]"),
    ("timer", "row_timer recorded no epoch", "callbacks=[..., row_timer, ...]"),
    ("history", "row_model is a History, not a Keras model", "not what fit returns"),
])
def test_time_budget_says_what_makes_the_comparison_wrong(trained_pair, change, message, hint):
    pixel, rows = trained_pair
    evidence = _evidence(pixel, rows)
    if change == "swap":
        evidence["pixel_model"], evidence["row_model"] = rows, pixel
    elif change == "units":
        evidence["row_model"] = _fit(_lstm32((28, 28), units=16), *_mnist(32), epochs=1)
    elif change == "time":
        evidence["row_timer"] = _Timer(1.0, 20.0)
    elif change == "flat":
        evidence["pixel_model"] = keras.Sequential([keras.Input((784,)),
                                                    keras.layers.Dense(10)])
    elif change == "timer":
        evidence["row_timer"] = _Timer()
    else:
        evidence["row_model"] = keras.callbacks.History()
    verdict = run("06.time_budget", evidence)
    assert not verdict.passed
    assert message in verdict.message, verdict.message
    assert hint in verdict.hint, verdict.hint


@pytest.mark.slow
def test_time_budget_verdict_survives_the_graders_evidence_round_trip(tmp_path, trained_pair):
    ks = pytest.importorskip("coursekit.instructor.grading._kernel_side")
    evidence_mod = pytest.importorskip("coursekit.instructor.grading.evidence")
    spec = get_check("06.time_budget")
    evidence = spec.collect(_evidence(*trained_pair))
    tree = ks.Encoder(str(tmp_path), 2**26).encode(evidence)
    ks.write_manifest(str(tmp_path), {"kind": "evidence", "tree": tree})
    reloaded = evidence_mod.read_outcome(tmp_path, 2**26).evidence
    assert spec.judge(reloaded).passed and spec.judge(evidence).passed
    # the reloaded models still say that they were trained
    other = tmp_path / "untrained"
    other.mkdir()
    untrained = spec.collect(_evidence(_lstm32((784, 1)), _lstm32((28, 28))))
    tree = ks.Encoder(str(other), 2**26).encode(untrained)
    ks.write_manifest(str(other), {"kind": "evidence", "tree": tree})
    reloaded = evidence_mod.read_outcome(other, 2**26).evidence
    assert "has not been trained" in spec.judge(reloaded).message


def _budget_solution(seed, n_small=300, pixel_epochs=4):
    """The notebook's solution of Exercise 3, in the quick profile's sizes."""
    import time

    from coursekit import callbacks, data

    class TimeBudget(keras.callbacks.Callback):
        def __init__(self, seconds):
            super().__init__()
            self.seconds = seconds

        def on_train_begin(self, logs=None):
            self.start = None

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            if self.start is None:
                self.start = now
            elif now - self.start >= self.seconds:
                self.model.stop_training = True

    x, y = _mnist(n_small)
    found, more = {}, []
    for name, seq, epochs in (("pixel", data.to_pixel_sequence, pixel_epochs),
                              ("row", data.to_row_sequence, 10_000)):
        keras.utils.set_random_seed(seed)
        model = _lstm32(seq(x).shape[1:])
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        timer = callbacks.EpochTimer()
        model.fit(seq(x), y, batch_size=128, epochs=epochs, verbose=0, callbacks=[timer, *more])
        more = [TimeBudget(sum(timer.epoch_seconds[1:]))]
        found[f"{name}_model"], found[f"{name}_timer"] = model, timer
    return found


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_time_budget_passes_the_solution_over_seeds(seed, seed_profile):
    """Quick: 300 images, pixels 4 epochs; full: 1,000 images, pixels 7 epochs, as measured
    for the check's thresholds."""
    solution = _budget_solution(seed, n_small=seed_profile.samples(1_000, quick=300),
                                pixel_epochs=seed_profile.epochs(7, quick=4))
    verdict = run("06.time_budget", solution)
    assert verdict.passed, verdict


# 06.row_lstm ---------------------------------------------------------------- #

def _recipe_lstm(n_fit, epochs, seed=0):
    """The notebook's solution of Exercise 4 on n_fit images for epochs epochs."""
    from coursekit import recipes

    recipe = recipes.get("lstm-mnist").course
    x, y = _mnist(n_fit, seed=seed)
    keras.utils.set_random_seed(seed)
    model = recipe.build(x.shape[1:])
    model.compile(optimizer=recipe.optimizer_for(n_train=len(x), epochs=epochs),
                  loss=recipe.loss(), metrics=["accuracy"])
    model.fit(x, y, batch_size=recipe.batch_size, epochs=epochs, verbose=0)
    return model


@pytest.mark.slow
def test_row_lstm_fails_blank_and_untrained(shared_mirror):
    from coursekit import recipes

    assert "got None" in run("06.row_lstm", None).message
    untrained = recipes.get("lstm-mnist").course.build((28, 28))
    verdict = run("06.row_lstm", untrained)
    assert not verdict.passed and "has not learned yet" in verdict.message, verdict


@pytest.mark.slow
def test_row_lstm_fails_when_trained_on_too_little(shared_mirror):
    verdict = run("06.row_lstm", _recipe_lstm(n_fit=1_000, epochs=1))  # two steps
    assert not verdict.passed, verdict
    assert ("at least 45.0% is needed" in verdict.message
            or "has not learned yet" in verdict.message), verdict.message


@pytest.mark.slow
def test_row_lstm_accepts_the_functional_api_and_another_optimizer(shared_mirror):
    x, y = _mnist(5_000)
    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28))
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.LSTM(64)(inputs))
    model = keras.Model(inputs, outputs)
    _fit(model, x.astype("float32") / 255, y, epochs=3, optimizer="rmsprop", batch_size=64)
    verdict = run("06.row_lstm", model)
    assert verdict.passed, verdict


@pytest.mark.parametrize("model, message", [
    (keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")]),
     "no LSTM layer"),
    (_lstm32((784, 1)), "inputs of shape (784, 1)"),
])
def test_row_lstm_wants_a_row_wise_lstm(model, message):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    verdict = run("06.row_lstm", model)
    assert not verdict.passed and message in verdict.message, verdict


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_row_lstm_passes_the_solution_over_seeds(seed, seed_profile):
    """Quick: 5,000 images, 3 epochs; full: the notebook's 55,000 images, 10 epochs."""
    model = _recipe_lstm(n_fit=seed_profile.samples(55_000, quick=5_000),
                         epochs=seed_profile.epochs(10, quick=3), seed=seed)
    verdict = run("06.row_lstm", model)
    assert verdict.passed, verdict
