# The two set-up commands of the README: `make demo` and `make test`. Both install missing Debian packages.
BUILD_DIR ?= build
ASAN_BUILD_DIR ?= build-asan
JOBS ?= $(shell nproc)
# What CI runs after `make test`: the same suite built with AddressSanitizer + UBSan. A report stops the process
# that has it (halt_on_error) with a non-zero exit, which the tests check; leaks count too.
SANITIZER_ENV = ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

.PHONY: all deps configure build install test build-asan test-asan fuzz demo bench clean

all: build

deps:
	@bash .ci/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# cdr, cdr-agent, cdr-agent-next, cdr-shadow and cdr-dr-disk into $(PREFIX)/bin (they must stay side by side).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2 --timeout 600

$(ASAN_BUILD_DIR)/build.ninja:
	cmake -S . -B $(ASAN_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCDR_SANITIZE=ON

build-asan: deps $(ASAN_BUILD_DIR)/build.ninja
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD_DIR) && $(SANITIZER_ENV) ctest --output-on-failure -j 2

# libFuzzer (clang) targets of fuzz/, each run FUZZ_SECONDS from the seed corpus (fuzz/run.sh says what to do
# with a finding). CI runs them briefly; run longer by hand: make fuzz FUZZ_SECONDS=600.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
$(FUZZ_BUILD_DIR)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCDR_FUZZ=ON

fuzz: deps $(FUZZ_BUILD_DIR)/build.ninja
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzz_targets
	bash fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

demo: build
	bash examples/demo.sh $(BUILD_DIR)/cdr

bench: build
	bash bench/run_all.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(FUZZ_BUILD_DIR)
