/* SPDX-License-Identifier: MIT */
/* Parsing of the DAXDEV_* variables that steer implementation choice. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arch/arch_env.h>
#include <daxdev/provider.h>

static const char *env_value(const char *var)
{
	const char *value = getenv(var);

	return value && *value ? value : NULL;
}

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

int daxdev_arch_env_word(const char *var, const char *const *words,
			 size_t nwords, int *index)
{
	const char *value = env_value(var);
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
			  var, value, valid);
}

int daxdev_arch_env_nt_allowed(bool *allowed)
{
	const char *value = env_value("DAXDEV_NT");

	*allowed = true;
	if (!value)
		return 0;
	if (strcmp(value, "0") == 0 || strcmp(value, "1") == 0) {
		*allowed = value[0] == '1';
		return 0;
	}
	return daxdev_err(-EINVAL, "DAXDEV_NT=%s: expected 0 or 1", value);
}

/* Multiplier for an optional K/M suffix, 0 if the suffix is not one. */
static size_t suffix_scale(const char *suffix)
{
	if (suffix[0] == '\0')
		return 1;
	if (suffix[1] != '\0')
		return 0;
	switch (suffix[0]) {
	case 'k': case 'K':
		return (size_t)1 << 10;
	case 'm': case 'M':
		return (size_t)1 << 20;
	default:
		return 0;
	}
}

int daxdev_arch_env_nt_threshold(size_t *threshold)
{
	const char *value = env_value("DAXDEV_NT_THRESHOLD");
	const char *p;
	size_t bytes = 0, scale;

	if (!value)
		return 0;
	/* By hand rather than strtoull: no sign, no spaces, no silent wrap. */
	for (p = value; *p >= '0' && *p <= '9'; p++) {
		size_t digit = (size_t)(*p - '0');

		if (bytes > (SIZE_MAX - digit) / 10)
			goto err_value;
		bytes = bytes * 10 + digit;
	}
	scale = suffix_scale(p);
	if (p == value || scale == 0 || bytes > SIZE_MAX / scale)
		goto err_value;
	*threshold = bytes * scale;
	return 0;

err_value:
	return daxdev_err(-EINVAL,
			  "DAXDEV_NT_THRESHOLD=%s: expected bytes, optionally with K or M suffix",
			  value);
}
