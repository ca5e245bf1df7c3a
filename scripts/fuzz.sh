#!/usr/bin/env bash
# Fuzzes the EXIF reader with libFuzzer and AddressSanitizer for SECONDS seconds (default 300).
#
#   scripts/fuzz.sh [SECONDS]
#
# The corpus grows in .build-fuzz/corpus; a crashing input is written to .build-fuzz/ and the script fails: copy it
# into Tests/Fuzz/Regressions/, where every later run (and the unit tests) replays it.
set -euo pipefail
seconds=${1:-300}
cd "$(dirname "$0")/.."

scratch=.build-fuzz
mkdir -p "$scratch/corpus"
products=$(REFRACT_FUZZ=1 swift build -c release --scratch-path "$scratch" --show-bin-path)
# The harness is compiled anew every time: SwiftPM kept its object from before a change of RefractError's layout (an
# error thrown by `ExifReader.read` is written into the caller's frame), and AddressSanitizer then reported that stale
# object overflowing its own frame.
rm -f "$products"/exif_fuzz.build/*.o
# SwiftPM links an executable with a `main` of its own; libFuzzer has one already, so the objects are linked here.
REFRACT_FUZZ=1 swift build -c release --scratch-path "$scratch" --product exif-fuzz \
    -Xswiftc -sanitize=fuzzer,address >"$scratch/build.log" 2>&1 || true
if [ ! -f "$products/exif-fuzz.product/Objects.LinkFileList" ]; then
    cat "$scratch/build.log" >&2
    echo "fuzz.sh: the fuzz target did not compile" >&2
    exit 1
fi
swiftc -o "$products/exif-fuzz" -module-name exif_fuzz -emit-executable \
    @"$products/exif-fuzz.product/Objects.LinkFileList" \
    -L "$products" -lstdc++ $(pkg-config --libs MagickWand) \
    -Xlinker --gc-sections -Xlinker '-rpath=$ORIGIN' -sanitize=fuzzer,address

# Swift's crash backtracer would hang on a crashing input; libFuzzer reports the crash itself.
SWIFT_BACKTRACE=enable=no "$products/exif-fuzz" \
    -dict=Tests/Fuzz/ExifReaderFuzz.dict -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$scratch/" "$scratch/corpus" $(ls -d Tests/Fuzz/Regressions 2>/dev/null)
