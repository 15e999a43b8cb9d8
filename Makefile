# Front end over CMake. `make run` and `make test` are the README's two commands.
JOBS ?= $(shell nproc)
BUILD ?= build
ARGS ?=
# GNU installation directories (docs/operations.md): make install PREFIX=/usr DESTDIR=...
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
bindir ?= $(prefix)/bin
sysconfdir ?= $(if $(filter /usr,$(prefix)),/etc,$(prefix)/etc)
datarootdir ?= $(prefix)/share
mandir ?= $(datarootdir)/man
DESTDIR ?=

.PHONY: all setup setup-test build run test test-asan test-ct test-generic install install-files clean

all: build

# What building and running the signer needs; setup-test adds what only the tests need
# (scripts/setup).
setup:
	@bash scripts/setup run

setup-test:
	@bash scripts/setup test

INSTALL_DIRS = -DCMAKE_INSTALL_PREFIX=$(prefix) -DCMAKE_INSTALL_BINDIR=$(bindir) \
  -DCMAKE_INSTALL_SYSCONFDIR=$(sysconfdir) -DCMAKE_INSTALL_DATAROOTDIR=$(datarootdir) \
  -DCMAKE_INSTALL_MANDIR=$(mandir)

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(INSTALL_DIRS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Installs the binary, the systemd unit, the service user (sysusers.d), a default
# configuration, the man page, the dashboard and alert rules under DESTDIR + prefix.
install: build
	@$(MAKE) --no-print-directory install-files

# The same from the build tree BUILD as it is (its build type kept, nothing rebuilt):
# the install directories are set (the unit's paths depend on them), then installed.
install-files:
	@cmake -S . -B $(BUILD) $(INSTALL_DIRS) >/dev/null
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# Sets up, builds and starts the signer with its embedded defaults.
run: build
	./$(BUILD)/secure-signer run $(ARGS)

# Sets up, builds and runs every test (unit, vectors, npm cross-checks, valgrind).
test: setup-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Every test again under AddressSanitizer + UndefinedBehaviorSanitizer (clang); the
# valgrind tests are left out there (valgrind and ASan do not mix).
test-asan: setup-test
	@CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSS_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) -LE valgrind

# The BLS and EIP-2333 tests built as other architectures build them: plain C arithmetic,
# no x86 intrinsics, no assembly (crypto/arch.h).
GENERIC_TESTS = test_bls test_bls_laws test_eip2333
test-generic: setup-test
	@cmake -S . -B build-generic -DCMAKE_BUILD_TYPE=Release -DSS_GENERIC_C=ON -DSS_NPM_TESTS=OFF >/dev/null
	@cmake --build build-generic -j $(JOBS) --target $(GENERIC_TESTS)
	cd build-generic && ctest --output-on-failure -R '^(test_bls|test_bls_laws|test_eip2333)$$'

# Only the constant-time checks under valgrind.
test-ct: setup-test build
	cd $(BUILD) && ctest --output-on-failure -L '^ct$$'

clean:
	rm -rf build build-asan build-generic
