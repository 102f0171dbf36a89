# SPDX-License-Identifier: GPL-2.0
#
# tools/model: the model-file library (GGUF and llama2.c loaders, the
# tokenizer, the reference decoder on tools/ref, the random-model writer
# of tests), and on it
#   $(BUILD)/tools/edna-ref-decode   greedy decoding on the CPU reference
#   $(BUILD)/tools/model-gen         random-weight models in both formats
#   $(BUILD)/tests/model_test        the edna_decode host tests
# A program using the library links $(MODEL_A) and, for the decoder,
# $(BUILD)/ref/libedna_ref.a and -lm after it.
#   make model-asan   the host tests again under ASan and UBSan
#
# mk/ref.mk sorts after this fragment, so its REF_A is not set yet when
# the prerequisites below are read: they name the archive's path.

MODEL_A := $(BUILD)/model/libedna_model.a
MODEL_REF_A := $(BUILD)/ref/libedna_ref.a
MODEL_SRCS := $(wildcard tools/model/*.c)
MODEL_HDRS := $(wildcard tools/model/*.h) tools/ref/edna_ref.h uapi/drm/edna_accel.h
MODEL_CFLAGS := -Itools/model -Itools/ref -Iuapi/drm $(DRM_CFLAGS)
MODEL_OBJS := $(patsubst tools/model/%.c,$(BUILD)/model/%.o,$(MODEL_SRCS))

$(BUILD)/model/%.o: tools/model/%.c $(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MODEL_CFLAGS) -c -o $@ $<

# Afresh: ar would keep the members of source files that are gone.
$(MODEL_A): $(MODEL_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# Explicit rules: the top Makefile's $(BUILD)/tools/% links libaccel.
$(BUILD)/tools/edna-ref-decode: tools/edna-ref-decode.c $(MODEL_A) $(MODEL_REF_A) $(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MODEL_CFLAGS) $(LDFLAGS) -o $@ $< $(MODEL_A) $(MODEL_REF_A) -lm

$(BUILD)/tools/model-gen: tools/model-gen.c $(MODEL_A) $(MODEL_REF_A) $(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MODEL_CFLAGS) -o $@ $< $(MODEL_A) $(MODEL_REF_A) -lm

MODEL_TEST_FLAGS := -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter -I$(KSFT_DIR)

$(BUILD)/tests/model_test: tests/model_test.c $(MODEL_A) $(MODEL_REF_A) $(MODEL_HDRS) $(KSFT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MODEL_TEST_FLAGS) $(MODEL_CFLAGS) -o $@ $< $(MODEL_A) $(MODEL_REF_A) -lm

# Everything again with the sanitizers, from source, in a directory of its own.
MODEL_ASAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

$(BUILD)/asan/model_test: tests/model_test.c $(MODEL_SRCS) tools/ref/edna_ref.c $(MODEL_HDRS) $(KSFT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MODEL_ASAN) $(MODEL_TEST_FLAGS) $(MODEL_CFLAGS) -o $@ \
		tests/model_test.c $(MODEL_SRCS) tools/ref/edna_ref.c -lm

.PHONY: model-asan
model-asan: $(BUILD)/asan/model_test
	$(BUILD)/asan/model_test

USERSPACE_EXTRA += $(MODEL_A) $(BUILD)/tools/edna-ref-decode $(BUILD)/tools/model-gen
