"""Notebook 04's experiment exercises and questions: the pool_size sweep judged on the student's
own models and times, the trained best network measured by the check, and the inline questions
(one of them answered from the student's own table)."""

from __future__ import annotations

import pytest

from coursekit.checks import get_check

pytestmark = pytest.mark.usefixtures("mirror_for_checks")


# --------------------------------------------------------------------------- #
# The inline questions
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("check_id, right, wrong", [
    ("04.q_padding", "a", "b"), ("04.q_more_params", "(A)", "c"),
    ("04.q_pool3_params", 7_810, 7_690)])
def test_questions_accept_the_answer_and_refuse_others(check_id, right, wrong):
    assert get_check(check_id).run(right).passed
    verdict = get_check(check_id).run(wrong)
    assert not verdict.passed and verdict.hint
    spec = get_check(check_id)
    answer = getattr(spec, "choices", {}).get(spec.answer) or f"{spec.answer:,}"
    assert answer not in verdict.hint and answer not in verdict.message  # no give-away
    blank = get_check(check_id).run(...)
    assert not blank.passed and "not answered yet" in blank.message


def _table(**accuracies):
    return {int(k[1:]): {"val_accuracy": v} for k, v in accuracies.items()}


@pytest.mark.parametrize("a2, a3, right", [
    (0.972, 0.969, "b"),  # 0.3 points on 500 images: noise
    (0.90, 0.70, "a"),  # 20 points: real
])
def test_noise_question_is_judged_on_the_students_own_table(a2, a3, right):
    table = _table(p2=a2, p3=a3)
    verdict = get_check("04.q_noise").run((right, table))
    assert verdict.passed, verdict.message
    assert f"{a2:.2%}" in verdict.message
    wrong = "a" if right == "b" else "b"
    assert not get_check("04.q_noise").run((wrong, table)).passed


@pytest.mark.parametrize("value, words", [
    ((..., {}), "not answered yet"), (("a", {}), "empty"), (("a", None), "is None"),
    (("a", _table(p2=0.9)), "no entry for pool_size 3"), ("a", "expected (your answer"),
    (("a", _table(p2=0.9, p3=97.0)), "a percentage")])
def test_noise_question_fails_clearly_without_a_table(value, words):
    verdict = get_check("04.q_noise").run(value)
    assert not verdict.passed and words in verdict.message, verdict.message
    assert verdict.hint


# --------------------------------------------------------------------------- #
# The pool_size experiment and the trained best network (tiny data, quick profile)
# --------------------------------------------------------------------------- #

def _notebook_data():
    """The notebook's split in the current profile: the last 5,000 training images (500 of the
    quick profile's 2,000) for validation, the rest to fit."""
    from coursekit import data, profiles

    profile = profiles.current()
    (x, y), _ = data.load("mnist", verbose=False)
    x, y = data.subsample(x, y, n=profile.samples(60_000), seed=0)
    x = data.add_channel(x)
    n_val = profile.samples(5_000, quick=500)
    return (x[:-n_val], y[:-n_val]), (x[-n_val:], y[-n_val:])


def _conv_then_pool(size, functional=False):
    import keras

    from coursekit import models

    if not functional:
        return models.build_cnn((28, 28, 1), filters=12, pool_size=size, dense_units=[],
                                input_rescale=1 / 255)
    inputs = keras.Input((28, 28, 1))
    h = keras.layers.Rescaling(1 / 255)(inputs)
    h = keras.layers.Conv2D(12, 3, activation="relu")(h)
    if size > 1:
        h = keras.layers.MaxPooling2D(size)(h)
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(h))
    return keras.Model(inputs, outputs)


def _sweep(functional=False, optimizer="adam", seed=0):
    """The notebook's sweep: EPOCHS (3; 1 in the quick profile) per pool size."""
    import keras

    from coursekit import callbacks, profiles

    epochs = profiles.current().epochs(3)

    (x_fit, y_fit), (x_val, y_val) = _notebook_data()
    table = {}
    for size in (1, 2, 3, 4):
        keras.utils.set_random_seed(seed)
        model = _conv_then_pool(size, functional)
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        timer = callbacks.EpochTimer()
        model.fit(x_fit, y_fit, batch_size=128, epochs=epochs, verbose=0, callbacks=[timer])
        table[size] = {"model": model, "seconds_per_epoch": timer.seconds_per_epoch,
                       "val_accuracy": model.evaluate(x_val, y_val, verbose=0)[1]}
    return table


def _fastest(table):
    return min(table, key=lambda s: table[s]["seconds_per_epoch"])


@pytest.fixture(scope="module")
def sweep():
    return _sweep()


def _copy(table, **changes):
    """The table with rows replaced: changes like r3={"val_accuracy": 0.99}."""
    out = {size: dict(row) for size, row in table.items()}
    for key, row in changes.items():
        out[int(key[1:])].update(row)
    return out


@pytest.mark.slow
def test_sweep_passes_on_the_students_own_table(sweep):
    verdict = get_check("04.pool_sweep").run((sweep, _fastest(sweep)))
    assert verdict.passed, verdict.message
    assert verdict.points == 3


@pytest.mark.slow
def test_sweep_passes_written_differently():
    """The Functional API, RMSprop (the tutorial's optimizer), string keys, a str conclusion."""
    table = _sweep(functional=True, optimizer="rmsprop")
    as_strings = {str(size): row for size, row in table.items()}
    verdict = get_check("04.pool_sweep").run((as_strings, str(_fastest(table))))
    assert verdict.passed, verdict.message


@pytest.mark.slow
def test_sweep_fails_when_the_conclusion_does_not_follow(sweep):
    slowest = max(sweep, key=lambda s: sweep[s]["seconds_per_epoch"])
    table = _copy(sweep, **{f"r{slowest}": {"seconds_per_epoch": 9.0}},
                  **{f"r{s}": {"seconds_per_epoch": 1.0 + s} for s in sweep if s != slowest})
    verdict = get_check("04.pool_sweep").run((table, slowest))
    assert not verdict.passed and "not the fastest in your own table" in verdict.message
    assert "seconds-per-epoch column" in verdict.hint


@pytest.mark.slow
def test_sweep_accepts_a_tie(sweep):
    table = _copy(sweep, r1={"seconds_per_epoch": 5.0}, r2={"seconds_per_epoch": 4.0},
                  r3={"seconds_per_epoch": 3.0}, r4={"seconds_per_epoch": 3.03})
    assert get_check("04.pool_sweep").run((table, 3)).passed
    assert get_check("04.pool_sweep").run((table, 4)).passed
    assert not get_check("04.pool_sweep").run((table, 2)).passed


@pytest.mark.slow
def test_sweep_fails_on_made_up_accuracies(sweep):
    table = _copy(sweep, r4={"val_accuracy": 0.999})
    verdict = get_check("04.pool_sweep").run((table, _fastest(table)))
    assert not verdict.passed and "further apart than the noise" in verdict.message


@pytest.mark.slow
def test_sweep_fails_on_an_untrained_model(sweep):
    import keras

    untrained = _conv_then_pool(3)
    untrained.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    table = _copy(sweep, r3={"model": untrained})
    verdict = get_check("04.pool_sweep").run((table, _fastest(table)))
    assert not verdict.passed and "has not been trained" in verdict.message
    assert isinstance(untrained, keras.Model)


@pytest.mark.slow
def test_sweep_fails_when_trained_for_different_steps(sweep):
    (x_fit, y_fit), _ = _notebook_data()
    longer = _conv_then_pool(2)
    longer.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    longer.fit(x_fit, y_fit, batch_size=128, epochs=2, verbose=0)
    table = _copy(sweep, r2={"model": longer})
    verdict = get_check("04.pool_sweep").run((table, _fastest(table)))
    assert not verdict.passed and "same number of steps" in verdict.message


@pytest.mark.slow
def test_sweep_fails_on_a_model_of_another_pool_size(sweep):
    table = _copy(sweep, r3={"model": sweep[2]["model"]})
    verdict = get_check("04.pool_sweep").run((table, _fastest(table)))
    assert not verdict.passed and "pool_size 3 has 1 convolution(s) and 2×2" in verdict.message


@pytest.mark.slow
@pytest.mark.parametrize("make, words", [
    (lambda t: ({}, None), "empty"),
    (lambda t: (None, None), "is None"),
    (lambda t: None, "got None"),
    (lambda t: t, "expected (pool_results, fastest_pool)"),
    (lambda t: ({s: r for s, r in t.items() if s != 4}, 1), "the exercise asks for 1, 2, 3"),
    (lambda t: ({**t, 5: t[4]}, 1), "has pool sizes [5] too"),
    (lambda t: (t, None), "fastest_pool is not set"),
    (lambda t: (t, 7), "fastest_pool is 7"),
    (lambda t: (_copy(t, r2={"val_accuracy": 96.5}), 1), "a percentage"),
    (lambda t: (_copy(t, r2={"seconds_per_epoch": "fast"}), 1), "not a number"),
    (lambda t: (_copy(t, r2={"seconds_per_epoch": -1.0}), 1), "not a time"),
    (lambda t: ({**t, 1: {"model": t[1]["model"]}}, 1), "no 'seconds_per_epoch'"),
    (lambda t: (_copy(t, r1={"model": "conv_then_pool(1)"}), 1), "not a Keras model"),
])
def test_sweep_fails_with_a_specific_message(sweep, make, words):
    verdict = get_check("04.pool_sweep").run(make(sweep))
    assert not verdict.passed and words in verdict.message, verdict.message
    assert verdict.hint


@pytest.mark.slow
def test_trained_best_fails_blank_untrained_and_on_too_little():
    import keras

    from coursekit.checks.nb04 import TrainedBest

    check_best = get_check("04.trained_best")
    assert isinstance(check_best, TrainedBest)
    assert not check_best.run(None).passed
    keras.utils.set_random_seed(0)
    untrained = _best_net()
    verdict = check_best.run(untrained)
    assert not verdict.passed and "guessing" in verdict.message
    (x_fit, y_fit), _ = _notebook_data()
    little = _best_net()
    little.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    little.fit(x_fit[:300], y_fit[:300], batch_size=128, epochs=1, verbose=0)
    verdict = check_best.run(little)  # 13–26% over seeds 0–4: below the 50% of the quick profile
    assert not verdict.passed and "test images it never saw" in verdict.message


def _best_net(functional=False):
    import keras

    L = keras.layers
    stack = [L.Rescaling(1 / 255), L.Conv2D(16, 4, activation="relu"), L.MaxPooling2D(2),
             L.Conv2D(32, 4, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
             L.Dropout(0.4), L.Dense(100, activation="relu"), L.Dense(10, activation="softmax")]
    if not functional:
        return keras.Sequential([keras.Input((28, 28, 1)), *stack])
    inputs = h = keras.Input((28, 28, 1))
    for layer in stack:
        h = layer(h)
    return keras.Model(inputs, h)


def _train_best(seed, functional=False, optimizer=None):
    """The notebook's solution: the best network, one-cycle Adam, BEST_EPOCHS on x_fit."""
    import keras

    from coursekit import profiles

    (x_fit, y_fit), _ = _notebook_data()
    epochs = profiles.current().epochs(15, quick=2)
    steps = -(-len(x_fit) // 128)
    keras.utils.set_random_seed(seed)
    model = _best_net(functional)
    if optimizer is None:
        from coursekit.schedules import OneCycle

        optimizer = keras.optimizers.Adam(OneCycle(2e-3, total_steps=epochs * steps,
                                                   warmup_steps=steps))
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_fit, y_fit, batch_size=128, epochs=epochs, verbose=0)
    return model


@pytest.mark.slow
def test_trained_best_passes_written_differently():
    """The Functional API and the tutorial's RMSprop at its constant learning rate."""
    import keras

    model = _train_best(0, functional=True, optimizer=keras.optimizers.RMSprop(1e-3))
    verdict = get_check("04.trained_best").run(model)
    assert verdict.passed, verdict.message


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_trained_best_passes_on_the_solution_over_seeds(seed, seed_profile):
    """Quick: a few seconds a seed; full: the full recipe, about 2.5 minutes a seed here."""
    verdict = get_check("04.trained_best").run(_train_best(seed))
    assert verdict.passed, verdict.message


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_sweep_passes_on_the_solution_over_seeds(seed, seed_profile):
    """Quick: seconds a seed; full: the full sweep, 2 to 4 minutes a seed here."""
    table = _sweep(seed=seed)
    verdict = get_check("04.pool_sweep").run((table, _fastest(table)))
    assert verdict.passed, verdict.message


@pytest.mark.slow
def test_sweep_names_the_slowest_when_pool_1_is_the_fastest(sweep):
    table = _copy(sweep, r1={"seconds_per_epoch": 2.0}, r2={"seconds_per_epoch": 3.0},
                  r3={"seconds_per_epoch": 5.0}, r4={"seconds_per_epoch": 4.0})
    verdict = get_check("04.pool_sweep").run((table, 1))
    assert verdict.passed and "against 5.00 s with pool_size 3, the slowest" in verdict.message
