#!/usr/bin/env bash
# Build pabumeasures' C++ rules (MES, greedy, Phragmen) for benchmarks/allocation.py.
#
# Its PyPI sdist needs the OR-Tools C++ SDK, which no package registry here offers (the PyPI
# wheel of ortools ships no headers). OR-Tools is used only by its *measures* (LPs), not by
# the rules we time, so we compile its own unchanged sources against a stub of the one header
# they include; calling a measure would fail, calling a rule runs pabumeasures' code as is.
#
#   bash benchmarks/pabumeasures_build.sh [DIR]     # default DIR: /tmp/pabumeasures-build
# then: PYTHONPATH=DIR/src python benchmarks/allocation.py --pabumeasures
set -euo pipefail
DIR=${1:-/tmp/pabumeasures-build}
PY=${PYTHON:-python3}
mkdir -p "$DIR"
cd "$DIR"
$PY -m pip download --no-deps --no-binary :all: pabumeasures==0.2.2 -q -d .
tar xzf pabumeasures-0.2.2.tar.gz
SRC=pabumeasures-0.2.2
$PY -m pip install -q pybind11
mkdir -p stub/ortools/linear_solver
cat > stub/ortools/linear_solver/linear_solver.h <<'H'
// Stub: enough of OR-Tools' MPSolver API for pabumeasures' measures to compile. Never used
// by the rules; a measure would get a null solver.
#pragma once
#include <limits>
#include <memory>
#include <string>
namespace operations_research {
struct MPVariable { double solution_value() const { return 0; } };
struct MPConstraint { void SetCoefficient(const MPVariable*, double) {} };
struct MPObjective { void SetCoefficient(const MPVariable*, double) {} void SetMaximization() {}
                     void SetMinimization() {} double Value() const { return 0; } };
struct MPSolver {
  enum ResultStatus { OPTIMAL, FEASIBLE, INFEASIBLE, UNBOUNDED, ABNORMAL, NOT_SOLVED };
  static MPSolver* CreateSolver(const std::string&) { return nullptr; }
  double infinity() const { return std::numeric_limits<double>::infinity(); }
  MPVariable* MakeIntVar(double, double, const std::string&) { return nullptr; }
  MPVariable* MakeBoolVar(const std::string&) { return nullptr; }
  MPVariable* MakeNumVar(double, double, const std::string&) { return nullptr; }
  MPConstraint* MakeRowConstraint(double, double, const std::string& = "") { return nullptr; }
  MPObjective* MutableObjective() { return nullptr; }
  ResultStatus Solve() { return NOT_SOLVED; }
};
}  // namespace operations_research
H
EXT=$($PY -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
c++ -O3 -DNDEBUG -std=c++20 -shared -fPIC $($PY -m pybind11 --includes) -Istub -I$SRC/src/cpp_src \
    $SRC/src/cpp_src/pb_rules_and_measures/*.cpp $SRC/src/cpp_src/utils/*.cpp $SRC/src/main.cpp \
    -o $SRC/src/pabumeasures/_core$EXT
rm -rf src && cp -r $SRC/src src
echo "built: PYTHONPATH=$DIR/src"
