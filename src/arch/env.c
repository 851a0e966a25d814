/* SPDX-License-Identifier: MIT */
/* Shared by every ISA directory: policy words (lookup and the message) and
 * the walk of a CRC-32C table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arch/arch_env.h>
#include <daxdev/provider.h>

/* "a, b, c" into buf, for messages that list what would have been valid. */
static void join_words(char *buf, size_t len, const char *const *words,
		       size_t nwords)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nwords && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s",
				 i ? ", " : "", words[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int daxdev_arch_find_word(const char *origin, const char *value,
			  const char *const *words, size_t nwords, int *index)
{
	char valid[128];

	*index = -1;
	if (!value)
		return 0;
	for (size_t i = 0; i < nwords; i++) {
		if (strcmp(value, words[i]) == 0) {
			*index = (int)i;
			return 0;
		}
	}
	join_words(valid, sizeof(valid), words, nwords);
	return daxdev_err(-EINVAL, "%s=%s: unknown value (valid: %s)",
			  origin ? origin : "policy", value, valid);
}

daxdev_crc32c_fn daxdev_arch_crc_pick(const struct daxdev_arch_crc_entry *table, size_t n,
				      unsigned features, size_t i, const char **name)
{
	/* First pass: entries best on this CPU; second: the others. */
	for (int demoted = 0; demoted < 2; demoted++) {
		for (size_t k = 0; k < n; k++) {
			bool best = daxdev_arch_has(features, table[k].best_if);

			if (best == (bool)demoted || !daxdev_arch_has(features, table[k].needs) || i--)
				continue;
			if (name)
				*name = table[k].name;
			return table[k].fn;
		}
	}
	return NULL;
}
