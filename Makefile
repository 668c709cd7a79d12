# Thin wrapper over CMake/CTest so that a fresh Debian machine needs only
# `make run` or `make check`. Everything real lives in CMakeLists.txt.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
DBGSRV_ARGS ?= -t tcp:port=2159

.PHONY: all deps build build-asan run check check-asan test clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DDBGSRV_WERROR=ON

build: $(BUILD)/Makefile
	cmake -S . -B $(BUILD) -DDBGSRV_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan:
	cmake -S . -B $(ASAN_BUILD) -DDBGSRV_WERROR=ON -DDBGSRV_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Installs what is missing, builds, and serves on the default transport
# (loopback, port 2159) until interrupted.
run: deps build
	$(BUILD)/src/dbgsrv $(DBGSRV_ARGS)

# Every test: the normal build, then the sanitizer build of the same tests.
check: deps build build-asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
