/* Inner loop of the LODES OD reader: parse CSV bytes and sum counts by GEOID-prefix pairs.
 *
 * One pass over each decompressed chunk: split lines and fields, check that both block GEOIDs
 * are 15 digits, turn their prefixes into integers, parse the count columns and add them up.
 * Pairs are summed per work place: LODES files are sorted by work block, so the rows of a work
 * tract come together. They are summed by home place in a small "run" table that stays in the
 * CPU cache; when the work place changes, the run is added to the county hash table and
 * appended to the detail output block, one array per column (only pairs with an end in the
 * region when use_region). A work
 * place that comes back later sets run[RUN_UNSORTED] and the caller merges the output.
 *
 * Built when the package is installed, as the extension module valleymaps.io.flows._odscan_ext
 * (setup.py defines VALLEYMAPS_ODSCAN_MODULE: the module only carries ODSCAN_ABI, the loop itself
 * is plain C99 called through ctypes by _odscan.py). Keep in step with the constants there, and
 * bump ODSCAN_ABI (both sides) when a signature or constant changes.
 */
#ifdef VALLEYMAPS_ODSCAN_MODULE
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#endif
#include <stdint.h>

#define ODSCAN_ABI 1

enum { SKIP = 0, W_GEOCODE = 1, H_GEOCODE = 2, COUNT = 3 };
enum { DONE = 0, TABLE_FULL = 1, TOO_MANY_ERRORS = 2 };
enum { ERR_NOT_DIGITS = 1, ERR_LENGTH = 2, ERR_COUNT = 3, ERR_FIELDS = 4 };
enum { STAT_ROWS = 0, STAT_ERRORS = 1, STAT_WORKERS = 2 };
enum { RUN_KEY = 0, RUN_N = 1, RUN_LAST = 2, RUN_UNSORTED = 3 };
#define ERR_COLUMNS 5
#define MAX_COUNTS 16

static inline uint64_t mix2(int64_t a, int64_t b) {
    uint64_t x = ((uint64_t)a * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)b * 0xC2B2AE3D27D4EB4FULL);
    return x ^ (x >> 31);
}

static inline uint64_t mix1(int64_t a) {
    uint64_t x = (uint64_t)a * 0x9E3779B97F4A7C15ULL;
    return x ^ (x >> 31);
}

/* county hash table: slots (power of two, -1 empty) -> row of keys (w, h) and sums */
static void table_add(int64_t *slots, int64_t nslots, int64_t *keys, int64_t *sums, int64_t *n,
                      int64_t kw, int64_t kh, const int64_t *vals, int64_t ncount) {
    uint64_t mask = (uint64_t)(nslots - 1);
    uint64_t i = mix2(kw, kh) & mask;
    for (;;) {
        int64_t s = slots[i];
        if (s < 0) {
            s = *n;
            slots[i] = s;
            keys[2 * s] = kw;
            keys[2 * s + 1] = kh;
            for (int64_t j = 0; j < ncount; j++) sums[s * ncount + j] = vals[j];
            *n = s + 1;
            return;
        }
        if (keys[2 * s] == kw && keys[2 * s + 1] == kh) {
            for (int64_t j = 0; j < ncount; j++) sums[s * ncount + j] += vals[j];
            return;
        }
        i = (i + 1) & mask;
    }
}

void od_rehash(int64_t *slots, int64_t nslots, const int64_t *keys, int64_t n) {
    uint64_t mask = (uint64_t)(nslots - 1);
    for (int64_t s = 0; s < n; s++) {
        uint64_t i = mix2(keys[2 * s], keys[2 * s + 1]) & mask;
        while (slots[i] >= 0) i = (i + 1) & mask;
        slots[i] = s;
    }
}

static void record(int64_t *errs, int64_t max_errs, int64_t *stats, int64_t row, int64_t field,
                   int64_t kind, int64_t start, int64_t length) {
    int64_t k = stats[STAT_ERRORS];
    if (k < max_errs) {
        int64_t *e = errs + k * ERR_COLUMNS;
        e[0] = row; e[1] = field; e[2] = kind; e[3] = start; e[4] = length;
    }
    stats[STAT_ERRORS] = k + 1;
}

static void flush_run(int64_t *run, int64_t *lslots, const int64_t *lkeys, const int64_t *lsums,
                      const int64_t *lpos, int64_t *okw, int64_t *okh, int32_t **ocols, int64_t *on,
                      int64_t *cslots, int64_t cslots_n, int64_t *ckeys, int64_t *csums, int64_t *cn,
                      const uint8_t *region, int64_t use_region, int64_t div, int64_t ncount) {
    int64_t n = run[RUN_N];
    if (n == 0) return;
    int64_t w = run[RUN_KEY];
    int64_t wc = w / div;
    if (run[RUN_LAST] >= 0 && w <= run[RUN_LAST]) run[RUN_UNSORTED] = 1;
    int64_t o = *on;
    int keep_all = !use_region || region[wc] != 0;
    for (int64_t s = 0; s < n; s++) {
        int64_t h = lkeys[s];
        int64_t hc = h / div;
        const int64_t *v = lsums + s * ncount;
        table_add(cslots, cslots_n, ckeys, csums, cn, wc, hc, v, ncount);
        if (keep_all || region[hc] != 0) {
            okw[o] = w;
            okh[o] = h;
            for (int64_t j = 0; j < ncount; j++) ocols[j][o] = (int32_t)v[j];
            o++;
        }
        lslots[lpos[s]] = -1;
    }
    *on = o;
    run[RUN_LAST] = w;
    run[RUN_N] = 0;
}

static void add_to_run(int64_t *run, int64_t *lslots, int64_t lslots_n, int64_t *lkeys,
                       int64_t *lsums, int64_t *lpos, int64_t kh, const int64_t *vals,
                       int64_t ncount) {
    uint64_t mask = (uint64_t)(lslots_n - 1);
    uint64_t i = mix1(kh) & mask;
    for (;;) {
        int64_t s = lslots[i];
        if (s < 0) {
            s = run[RUN_N];
            lslots[i] = s;
            lpos[s] = (int64_t)i;
            lkeys[s] = kh;
            for (int64_t j = 0; j < ncount; j++) lsums[s * ncount + j] = vals[j];
            run[RUN_N] = s + 1;
            return;
        }
        if (lkeys[s] == kh) {
            for (int64_t j = 0; j < ncount; j++) lsums[s * ncount + j] += vals[j];
            return;
        }
        i = (i + 1) & mask;
    }
}

int64_t od_scan(const uint8_t *buf, int64_t pos, int64_t end,
                const int64_t *kinds, const int64_t *slot_of, int64_t n_fields, int64_t ncount,
                int64_t fine_len, const uint8_t *region, int64_t use_region,
                int64_t *run, int64_t *lslots, int64_t lslots_n, int64_t *lkeys, int64_t *lsums,
                int64_t *lpos, int64_t run_cap,
                int64_t *okw, int64_t *okh, int32_t **ocols, int64_t *on, int64_t out_cap,
                int64_t *cslots, int64_t cslots_n, int64_t *ckeys, int64_t *csums, int64_t *cn,
                int64_t c_cap,
                int64_t *stats, int64_t *errs, int64_t max_errs, int64_t final, int64_t *pos_out) {
    int64_t vals[MAX_COUNTS];
    int64_t div = 1;
    for (int64_t k = 5; k < fine_len; k++) div *= 10;
    if (ncount > MAX_COUNTS) ncount = MAX_COUNTS;
    while (pos < end) {
        if (*cn + run[RUN_N] >= c_cap || *on + run[RUN_N] >= out_cap) {
            *pos_out = pos;
            return TABLE_FULL;
        }
        if (run[RUN_N] >= run_cap)  /* a work place with very many home places: flush part */
            flush_run(run, lslots, lkeys, lsums, lpos, okw, okh, ocols, on, cslots, cslots_n, ckeys,
                      csums, cn, region, use_region, div, ncount);
        if (stats[STAT_ERRORS] >= max_errs) {
            *pos_out = pos;
            return TOO_MANY_ERRORS;
        }
        if (buf[pos] == '\n') { pos++; continue; }  /* blank line */
        if (buf[pos] == '\r' && pos + 1 < end && buf[pos + 1] == '\n') { pos += 2; continue; }
        int64_t row = stats[STAT_ROWS];
        int bad = 0;
        int64_t field = 0, fstart = pos;
        int64_t wf = 0, hf = 0;
        for (int64_t j = 0; j < ncount; j++) vals[j] = 0;
        for (;;) {
            int64_t kind = field < n_fields ? kinds[field] : SKIP;
            fstart = pos;
            if (kind == W_GEOCODE || kind == H_GEOCODE) {
                int quoted = buf[pos] == '"';
                if (quoted) pos++;
                int64_t nd = 0, vf = 0;
                int digits_only = 1;
                while (pos < end) {
                    uint8_t ch = buf[pos];
                    if (ch == ',' || ch == '\n' || ch == '\r' || ch == '"') break;
                    uint8_t d = (uint8_t)(ch - '0');
                    if (d > 9) digits_only = 0;
                    else if (nd < fine_len) vf = vf * 10 + d;
                    nd++;
                    pos++;
                }
                if (quoted && pos < end && buf[pos] == '"') pos++;
                if (!digits_only) {
                    record(errs, max_errs, stats, row, field, ERR_NOT_DIGITS, fstart, pos - fstart);
                    bad = 1;
                } else if (nd != 15) {
                    record(errs, max_errs, stats, row, field, ERR_LENGTH, fstart, pos - fstart);
                    bad = 1;
                }
                if (kind == W_GEOCODE) wf = vf; else hf = vf;
            } else if (kind == COUNT) {
                int64_t v = 0, nd = 0;
                int digits_only = 1;
                while (pos < end) {
                    uint8_t ch = buf[pos];
                    if (ch == ',' || ch == '\n' || ch == '\r') break;
                    uint8_t d = (uint8_t)(ch - '0');
                    if (d > 9) digits_only = 0;
                    else v = v * 10 + d;
                    nd++;
                    pos++;
                }
                if (!digits_only || nd == 0 || nd > 12) {
                    record(errs, max_errs, stats, row, field, ERR_COUNT, fstart, pos - fstart);
                    bad = 1;
                } else {
                    vals[slot_of[field]] = v;
                }
            } else {
                while (pos < end && buf[pos] != ',' && buf[pos] != '\n' && buf[pos] != '\r') pos++;
            }
            if (pos >= end) break;
            uint8_t ch = buf[pos];
            if (ch == '\r') {
                pos++;
                ch = pos < end ? buf[pos] : '\n';
            }
            pos++;
            if (ch == ',') { field++; continue; }
            if (ch != '\n') {  /* a stray character (e.g. a quote in a count): skip the line */
                while (pos < end && buf[pos] != '\n') pos++;
                pos++;
                if (!bad) {
                    record(errs, max_errs, stats, row, field, ERR_COUNT, fstart, pos - fstart);
                    bad = 1;
                }
            }
            break;
        }
        if (field + 1 != n_fields && !bad) {
            record(errs, max_errs, stats, row, field + 1, ERR_FIELDS, 0, 0);
            bad = 1;
        }
        stats[STAT_ROWS] = row + 1;
        if (bad) continue;
        stats[STAT_WORKERS] += vals[0];
        if (wf != run[RUN_KEY]) {
            flush_run(run, lslots, lkeys, lsums, lpos, okw, okh, ocols, on, cslots, cslots_n, ckeys,
                      csums, cn, region, use_region, div, ncount);
            run[RUN_KEY] = wf;
        }
        add_to_run(run, lslots, lslots_n, lkeys, lsums, lpos, hf, vals, ncount);
    }
    if (final) {
        if (*cn + run[RUN_N] >= c_cap || *on + run[RUN_N] >= out_cap) {
            *pos_out = pos;
            return TABLE_FULL;
        }
        flush_run(run, lslots, lkeys, lsums, lpos, okw, okh, ocols, on, cslots, cslots_n, ckeys,
                  csums, cn, region, use_region, div, ncount);
        run[RUN_KEY] = -1;
    }
    *pos_out = pos;
    return DONE;
}

/* zero-padded decimal text of values, width bytes each (four digits at a time) */
void od_format(const int64_t *values, int64_t n, int64_t width, uint8_t *out) {
    static uint8_t quads[40000];
    static int ready = 0;
    if (!ready) {
        for (int q = 0; q < 10000; q++) {
            quads[4 * q] = (uint8_t)('0' + q / 1000);
            quads[4 * q + 1] = (uint8_t)('0' + q / 100 % 10);
            quads[4 * q + 2] = (uint8_t)('0' + q / 10 % 10);
            quads[4 * q + 3] = (uint8_t)('0' + q % 10);
        }
        ready = 1;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t v = values[i];
        uint8_t *p = out + i * width;
        int64_t k = width;
        while (k >= 4) {
            const uint8_t *q = quads + 4 * (v % 10000);
            p[k - 4] = q[0]; p[k - 3] = q[1]; p[k - 2] = q[2]; p[k - 1] = q[3];
            v /= 10000;
            k -= 4;
        }
        while (k > 0) {
            p[k - 1] = (uint8_t)('0' + v % 10);
            v /= 10;
            k--;
        }
    }
}

#ifdef VALLEYMAPS_ODSCAN_MODULE
static struct PyModuleDef odscan_module = {
    PyModuleDef_HEAD_INIT, "_odscan_ext",
    "Compiled inner loop of the LODES OD reader (called through ctypes, see _odscan.py).", -1, NULL,
};

PyMODINIT_FUNC PyInit__odscan_ext(void) {
    PyObject *m = PyModule_Create(&odscan_module);
    if (m != NULL && PyModule_AddIntConstant(m, "ABI", ODSCAN_ABI) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
#endif
