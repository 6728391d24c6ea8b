"""The instructor's and maintainer's tools: build exercises, grade a class, benchmark.

Nothing in the student package (``coursekit`` outside this folder) imports this
package, so a student's install needs none of its dependencies; install them with
``pip install "coursekit[instructor]"``. The command line is :mod:`coursekit.instructor.cli`
(the ``coursekit`` command).
"""
