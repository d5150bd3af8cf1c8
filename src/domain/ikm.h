/* ikm: the Indeks Kepuasan Masyarakat of PermenPANRB 14/2017
 * (../shared/reference/IKM.md): 9 unsur answered on a 4-point scale, NRR
 * per unsur, weighted by 1/9 (or the printed 0.111), times 25, and the mutu
 * bands A/B/C/D. Pure: no I/O. */
#ifndef ADUAN_IKM_H
#define ADUAN_IKM_H

#include <stdbool.h>
#include <stdint.h>

#define IKM_UNSUR 9

/* Weight of each unsur: exactly 1/9 (the plain mean of the NRRs, the
 * default), or the printed 0.111 to reconcile with old spreadsheets. */
typedef enum { IKM_WEIGHT_EXACT, IKM_WEIGHT_0111 } ikm_weight_t;

/* Per unsur: the sum of the answers (1..4 each) and how many answered. */
typedef struct {
    int64_t sum[IKM_UNSUR];
    int64_t count[IKM_UNSUR];
} ikm_tally;

typedef struct {
    double nrr[IKM_UNSUR]; /* 0 for an unsur nobody answered */
    bool has[IKM_UNSUR];   /* false when nobody answered the unsur */
    int answered;          /* unsur with at least one answer */
    double index;          /* weighted sum on the 1..4 scale */
    double score;          /* index x 25, rounded to 2 decimals; 0 when no answers */
    char mutu;             /* 'A'..'D'; '-' when no answers */
    const char *kinerja;   /* "Sangat baik" ... "Tidak baik"; "-" when none */
} ikm_result;

/* Adds one answer (value 1..4) of unsur u (0-based); other values are
 * ignored and return -1. */
int ikm_add(ikm_tally *t, int u, int value);

/* The IKM of a tally. An unsur with no answers counts as missing: with
 * exact weights the index is the mean of the answered unsur; with 0.111
 * it is the sum of the answered unsur's weighted NRR scaled to the
 * answered share (no division by zero; score 0 when nothing answered). */
void ikm_compute(const ikm_tally *t, ikm_weight_t w, ikm_result *out);

/* Mutu letter of a converted score (25..100), classified on the score
 * rounded to 2 decimals: < 65.00 D, < 76.61 C, < 88.31 B, else A. */
char ikm_mutu(double score);
/* Kinerja label of a mutu letter, Indonesian or ("en") English. */
const char *ikm_kinerja(char mutu, const char *lang);

/* Krejcie-Morgan sample size for a population (chi2 3.841, P 0.5,
 * d 0.05), rounded up; 0 for an empty population. */
int64_t ikm_sample_target(int64_t population);

/* The unsur: code ("U1".."U9"), name as in the regulation, and the four
 * answer labels (value 1..4) in Indonesian or English. */
const char *ikm_unsur_code(int u);
const char *ikm_unsur_name(int u, const char *lang);
const char *ikm_unsur_question(int u, const char *lang);
const char *ikm_answer_label(int u, int value, const char *lang);

#endif
