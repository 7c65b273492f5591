"""Reading sequences in aimc-run's text input format (aimc-run(1), INPUT):
one sequence per line, ``LABEL: v v v ...`` (steps x width values, step
major; LABEL a class or ``?``), values separated by blanks or commas,
``#`` comments.  The shipped digits test set, tools/data/digits-test.txt,
is one."""
import errno
import re

import numpy as np

from .errors import InvalidArgumentError

_SEPARATORS = re.compile(r"[\s,]+")


def read_sequences(path, width):
    """The labelled sequences of an aimc-run input file for a model of
    ``width`` values per step: (a list of float32 arrays of shape
    (steps, width), an int64 array of labels, -1 for ``?``).
    InvalidArgumentError naming the line for anything else (aimc-run's
    open step lines included)."""
    inputs, labels = [], []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            where = "read_sequences: %s:%d" % (path, number)
            label, colon, values = text.partition(":")
            if not colon:
                raise InvalidArgumentError(errno.EINVAL, "%s: not 'LABEL: values' (step lines "
                                           "of an open sequence are not read here)" % where)
            try:
                v = np.array([float(t) for t in _SEPARATORS.split(values.strip()) if t],
                             np.float32)
                labels.append(-1 if label.strip() == "?" else int(label))
            except ValueError as e:
                raise InvalidArgumentError(errno.EINVAL, "%s: %s" % (where, e)) from None
            if not v.size or v.size % width:
                raise InvalidArgumentError(errno.EINVAL, "%s: %d values, not whole steps of %d"
                                           % (where, v.size, width))
            inputs.append(v.reshape(-1, width))
    return inputs, np.array(labels, np.int64)
