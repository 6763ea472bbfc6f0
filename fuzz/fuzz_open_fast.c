/* fuzz_open_fast.c - libFuzzer harness: opens the input from its buffer and calls every
 * accessor once (touch.c) and the triage checks fuzz_open makes (triage.c), with no memory
 * oracle, so that it runs several times as often as fuzz_open.
 * SPDX-License-Identifier: MIT
 *
 * fuzz_open checks every answer against an independent model of the memory rules and runs
 * at tens to hundreds of executions a second on real-sized dumps; this one trades those
 * memory checks for speed, to reach the stream decoders (threads, modules, handles, Crashpad, ...)
 * with more mutations: from the same seeds, both at -max_len=65536 for 30 s on a loaded
 * two-core machine, fuzz_open ran 135 inputs a second and this one 406. scripts/fuzz.sh
 * runs it with -max_len=65536 and fuzz/dmp.dict.
 * Its own code is built without comparison tracing (fuzz/CMakeLists.txt), so libFuzzer's
 * value profile and dictionary learning see only the library's comparisons.
 *
 * Gzip input goes through the same open under a heap limit of 256 KiB: gzip bombs are
 * fuzz_gzip's, and would only slow this one down. One input in four is opened under an
 * allocation budget (dmp_options.max_alloc) drawn from its hash, from a few bytes to four
 * times its size, so that parts are left out at every point where the open allocates: what
 * is left must still answer every accessor, and the budget must hold.
 */
#include "harness.h"
#include "touch.h"

#include <dmpread.h>
#include <stdbool.h>

#define GZIP_MAX_HEAP ((uint64_t)256 << 10) /* inflated bytes a gzip input may take */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dmp_options opts = {.max_heap_input = GZIP_MAX_HEAP};
    const uint64_t h = fuzz_hash(data, size < 64 ? size : 64);
    if ((h & 3) == 0)
        opts.max_alloc = 1 + (h >> 2) % (4 * (uint64_t)size + 4096);
    dmp_file *f = NULL;
    dmp_error err;
    const dmp_status st = dmp_open_mem_ex(data, size, &opts, &f, &err);
    if (st != DMP_OK) {
        CHECK(f == NULL, "failed open (%d) set its dump", (int)st);
        CHECK(err.status == st && err.message[0] != '\0', "failed open (%d) without a message",
              (int)st);
        return 0;
    }
    CHECK(dmp_file_size(f) >= 32, "opened %llu bytes, shorter than a header",
          (ull)dmp_file_size(f));
    dmp_heap_usage u;
    dmp_get_heap_usage(f, &u);
    CHECK(u.used <= u.peak && u.peak - u.always <= u.budget && u.always <= u.used,
          "heap: %llu used, %llu peak, %llu always, budget %llu", (ull)u.used, (ull)u.peak,
          (ull)u.always, (ull)u.budget);
    fuzz_touch(f, h);
    /* The triage accessors' own checks (spans inside the input, valid UTF-8, the crash
     * summary, reasons, assertion, Linux streams): cheap beside the open. */
    const bool gz = dmp_was_compressed(f);
    fuzz_triage(f, gz ? NULL : data, gz ? 0 : size);
    dmp_close(f);
    return 0;
}
