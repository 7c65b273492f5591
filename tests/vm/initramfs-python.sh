#!/bin/sh
# Add the Python package's guest run to an initramfs tree
# (build-initramfs.sh): Debian's python3 with its standard library (less
# what a test run never loads: tkinter, the test suite, the static
# libpython, ...), numpy, pytest and what they import, libaimc.so.2, and
# a small source tree in /usr/share/aimc/tree (the package, its tests,
# the digits models and test set, the headers and symbol map the tests
# compare the package with) for guest-tests.sh's pytest step.
#   initramfs-python.sh ROOT
# Adds nothing and exits 0, saying why, when python3, numpy, pytest or
# libaimc.so.2 is missing on this machine: the guest then skips the step.
# numpy links libblas.so.3 and liblapack.so.3 through Debian's
# alternatives, on this machine OpenBLAS (40 MB with libgfortran); the
# guest gets the reference BLAS and LAPACK of the same ABI (8 MB): the
# package does no linear algebra.
set -eu
root=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
py=/usr/bin/python3
arch=x86_64-linux-gnu

missing=""
[ -x $py ] || missing="$py"
[ -n "$missing" ] || $py -c 'import numpy, pytest' 2>/dev/null || missing="python3-numpy or python3-pytest"
[ -e "$build/libaimc.so.2" ] || missing="${missing:+$missing, }$build/libaimc.so.2 (make userspace)"
if [ -n "$missing" ]; then
	echo "initramfs-python: no Python in the guest: $missing missing" >&2
	exit 0
fi
version=$($py -c 'import sys; print("%d.%d" % sys.version_info[:2])')
stdlib=/usr/lib/python$version
dist=/usr/lib/python3/dist-packages

# ldd's libraries of the files given, into the tree (the loader's paths),
# but BLAS and LAPACK: ldd finds this machine's OpenBLAS for them.
add_libs() {
	for lib in $(ldd "$@" 2>/dev/null | awk '/=>/ { print $3 } /^[ \t]+\// { print $1 }' | sort -u); do
		case ${lib##*/} in libblas.so.*|liblapack.so.*|libopenblas*) continue ;; esac
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# The interpreter and its standard library, byte code included and with
# the sources' times kept (a .pyc records its source's mtime; a stale one
# would be compiled again in the guest, slowly under TCG).
mkdir -p "$root/usr/bin"
cp -L "$py" "$root/usr/bin/python$version"
ln -sf "python$version" "$root/usr/bin/python3"
add_libs "$py"
(cd / && tar -cf - --exclude="config-$version-*" --exclude=test --exclude=tkinter \
	--exclude=turtledemo --exclude=idlelib --exclude=ensurepip --exclude=lib2to3 \
	--exclude=pydoc_data --exclude=distutils --exclude='*.opt-[12].pyc' \
	--exclude='_tkinter.*' --exclude='_ssl.*' --exclude='_hashlib.*' --exclude='_sqlite3.*' \
	--exclude='_dbm.*' --exclude='readline.*' --exclude='_curses*' --exclude='_test*' \
	--exclude='_xx*' --exclude='xxlimited*' --exclude='_ctypes_test.*' --exclude='nis.*' \
	--exclude='ossaudiodev.*' \
	"${stdlib#/}") | tar -xf - -C "$root"
add_libs "$root$stdlib"/lib-dynload/*.so

# numpy and pytest 7 with what it imports (pluggy, iniconfig, py, attrs);
# no dist-info: pytest then loads no plugin of this machine's.
(cd / && tar -cf - --exclude=tests --exclude=f2py --exclude=distutils \
	--exclude='*.opt-[12].pyc' "${dist#/}/numpy" "${dist#/}/_pytest" "${dist#/}/pytest" \
	"${dist#/}/pluggy" "${dist#/}/iniconfig" "${dist#/}/py" "${dist#/}/py.py" \
	"${dist#/}/attr" "${dist#/}/attrs") | tar -xf - -C "$root"
mkdir -p "$root/lib/$arch"
for l in blas lapack; do
	cp -L "/usr/lib/$arch/$l/lib$l.so.3" "$root/lib/$arch/lib$l.so.3"
done
add_libs "$root/lib/$arch/libblas.so.3" "$root/lib/$arch/liblapack.so.3" \
	$(find "$root$dist/numpy" -name '*.so')

# libaimc.so.2 where the dynamic loader looks, and the tests' tree.
cp -L "$build/libaimc.so.2" "$root/lib/$arch/libaimc.so.2"
add_libs "$build/libaimc.so.2"
tree=$root/usr/share/aimc/tree
mkdir -p "$tree"
(cd "$top" && tar -cf - dkms.conf runtime/include runtime/libaimc.map runtime/python/aimc \
	runtime/python/pyproject.toml tests/python tools/data/digits-test.txt \
	tools/qat/models/digits-qat4-pruned.safetensors \
	tools/qat/models/digits-float-pruned.safetensors) | tar -xf - -C "$tree"
echo "initramfs-python: python$version, numpy, pytest and the aimc package added"
