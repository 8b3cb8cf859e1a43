/*
 * rig-playrec: plays float32 mono files into ALSA playback PCMs and records ALSA
 * capture PCMs into float32 files, with every stream started by one trigger
 * (snd_pcm_link). Frame k of every recording and frame k of every played file
 * then belong to the same instant, so a delay found in a recording is the delay
 * of the path, not of when the streams happened to start.
 *
 *   rig-playrec -n FRAMES [-r RATE] [-p PERIOD_FRAMES] [-b BUFFER_FRAMES]
 *               [-f FORMAT[,FORMAT...]] [-P DEVICE=FILE]... [-C DEVICE=FILE]...
 *
 * -P: FILE holds float32 mono samples (host byte order), played on every channel,
 *     padded with silence to FRAMES.
 * -C: FILE receives FRAMES frames as float32, all channels interleaved.
 * -f: formats to try, in order (default S16_LE,S32_LE,S24_LE,S24_3LE,FLOAT_LE);
 *     the first one the device accepts is used, so the tool follows a format
 *     the other end of an snd-aloop cable already fixed.
 *
 * For each stream it prints one line of key=value pairs: the negotiated
 * format, channels, rate, period and buffer, the frames moved, the trigger
 * timestamp, the rate measured against CLOCK_MONOTONIC (frames per second over
 * the run, a least-squares fit) and the xruns. A last line says whether the
 * streams were linked. Exit status: 0 ok, 1 usage, 2 ALSA error, 3 xrun.
 */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_STREAMS 16

struct stream {
	const char *device;
	const char *path;
	snd_pcm_stream_t direction;
	snd_pcm_t *pcm;
	snd_pcm_format_t format;
	unsigned int channels;
	unsigned int rate;
	snd_pcm_uframes_t period;
	snd_pcm_uframes_t buffer;
	float *samples;        /* playback: mono input; capture: interleaved output */
	snd_pcm_uframes_t done;
	unsigned int xruns;
	/* least-squares sums of (seconds since start, frames available in total) */
	double n, st, sf, stt, stf;
};

static struct stream streams[MAX_STREAMS];
static int stream_count;
static unsigned char *scratch;

static void usage(void)
{
	fprintf(stderr, "usage: rig-playrec -n FRAMES [-r RATE] [-p PERIOD_FRAMES] [-b BUFFER_FRAMES] "
			"[-f FORMAT[,FORMAT...]] [-P DEVICE=FILE]... [-C DEVICE=FILE]...\n");
	exit(1);
}

static void fail(const struct stream *s, const char *what, int err)
{
	fprintf(stderr, "rig-playrec: %s %s: %s\n", s ? s->device : "", what, snd_strerror(err));
	exit(2);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void add_stream(char *spec, snd_pcm_stream_t direction)
{
	char *eq = strrchr(spec, '=');
	if (!eq || eq == spec || !eq[1] || stream_count == MAX_STREAMS)
		usage();
	*eq = '\0';
	streams[stream_count].device = spec;
	streams[stream_count].path = eq + 1;
	streams[stream_count].direction = direction;
	stream_count++;
}

static void configure(struct stream *s, unsigned int rate, snd_pcm_uframes_t period,
		      snd_pcm_uframes_t buffer, const char *formats)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t boundary;
	char list[256], *name, *save = NULL;
	int err;

	err = snd_pcm_open(&s->pcm, s->device, s->direction, SND_PCM_NONBLOCK);
	if (err < 0)
		fail(s, "open", err);
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_hw_params_any(s->pcm, hw);
	if ((err = snd_pcm_hw_params_set_access(s->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
		fail(s, "interleaved access", err);
	snprintf(list, sizeof list, "%s", formats);
	s->format = SND_PCM_FORMAT_UNKNOWN;
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		snd_pcm_format_t f = snd_pcm_format_value(name);
		if (f != SND_PCM_FORMAT_UNKNOWN && snd_pcm_hw_params_test_format(s->pcm, hw, f) == 0) {
			s->format = f;
			break;
		}
	}
	if (s->format == SND_PCM_FORMAT_UNKNOWN) {
		fprintf(stderr, "rig-playrec: %s accepts none of the formats %s\n", s->device, formats);
		exit(2);
	}
	switch (s->format) {
	case SND_PCM_FORMAT_S16_LE: case SND_PCM_FORMAT_S32_LE: case SND_PCM_FORMAT_S24_LE:
	case SND_PCM_FORMAT_S24_3LE: case SND_PCM_FORMAT_FLOAT_LE:
		break;
	default:
		fprintf(stderr, "rig-playrec: format %s is not one the tool converts\n",
			snd_pcm_format_name(s->format));
		exit(1);
	}
	if ((err = snd_pcm_hw_params_set_format(s->pcm, hw, s->format)) < 0)
		fail(s, "format", err);
	s->channels = 2;
	if (snd_pcm_hw_params_test_channels(s->pcm, hw, 2) != 0)
		snd_pcm_hw_params_set_channels_first(s->pcm, hw, &s->channels);
	else if ((err = snd_pcm_hw_params_set_channels(s->pcm, hw, 2)) < 0)
		fail(s, "channels", err);
	s->rate = rate;
	if ((err = snd_pcm_hw_params_set_rate_near(s->pcm, hw, &s->rate, NULL)) < 0)
		fail(s, "rate", err);
	s->period = period;
	if ((err = snd_pcm_hw_params_set_period_size_near(s->pcm, hw, &s->period, NULL)) < 0)
		fail(s, "period size", err);
	s->buffer = buffer;
	if ((err = snd_pcm_hw_params_set_buffer_size_near(s->pcm, hw, &s->buffer)) < 0)
		fail(s, "buffer size", err);
	if ((err = snd_pcm_hw_params(s->pcm, hw)) < 0)
		fail(s, "hw params", err);
	snd_pcm_hw_params_get_period_size(hw, &s->period, NULL);
	snd_pcm_hw_params_get_buffer_size(hw, &s->buffer);

	snd_pcm_sw_params_alloca(&sw);
	snd_pcm_sw_params_current(s->pcm, sw);
	snd_pcm_sw_params_get_boundary(sw, &boundary);
	/* Only the linked snd_pcm_start starts a stream. */
	snd_pcm_sw_params_set_start_threshold(s->pcm, sw, boundary);
	snd_pcm_sw_params_set_tstamp_mode(s->pcm, sw, SND_PCM_TSTAMP_ENABLE);
	snd_pcm_sw_params_set_tstamp_type(s->pcm, sw, SND_PCM_TSTAMP_TYPE_MONOTONIC);
	if (s->direction == SND_PCM_STREAM_PLAYBACK) {
		/* Played-out frames become silence and a late write is counted, not
		 * a stop: a stopped stream would lose its place on the time line. */
		snd_pcm_sw_params_set_stop_threshold(s->pcm, sw, boundary);
		snd_pcm_sw_params_set_silence_threshold(s->pcm, sw, 0);
		snd_pcm_sw_params_set_silence_size(s->pcm, sw, boundary);
	}
	if ((err = snd_pcm_sw_params(s->pcm, sw)) < 0)
		fail(s, "sw params", err);
	if ((err = snd_pcm_prepare(s->pcm)) < 0)
		fail(s, "prepare", err);
}

static void load_playback(struct stream *s, snd_pcm_uframes_t frames)
{
	FILE *f = fopen(s->path, "rb");
	if (!f) {
		fprintf(stderr, "rig-playrec: cannot read %s: %s\n", s->path, strerror(errno));
		exit(1);
	}
	s->samples = calloc(frames, sizeof(float));
	if (!s->samples)
		exit(2);
	size_t got = fread(s->samples, sizeof(float), frames, f);
	(void)got; /* a shorter file is padded with silence */
	fclose(f);
}

static int32_t scaled(float x, double full)
{
	double v = (double)x * full;
	if (v > full)
		v = full;
	if (v < -full - 1.0)
		v = -full - 1.0;
	return (int32_t)lrint(v);
}

/* Converts frames [from, from + count) of a mono signal into the device format. */
static void encode(const struct stream *s, snd_pcm_uframes_t from, snd_pcm_uframes_t count)
{
	unsigned char *out = scratch;
	for (snd_pcm_uframes_t i = 0; i < count; i++) {
		float x = s->samples[from + i];
		for (unsigned int c = 0; c < s->channels; c++) {
			int32_t v;
			switch (s->format) {
			case SND_PCM_FORMAT_S16_LE:
				v = scaled(x, 32767.0);
				out[0] = v & 0xff; out[1] = (v >> 8) & 0xff; out += 2;
				break;
			case SND_PCM_FORMAT_S24_3LE:
				v = scaled(x, 8388607.0);
				out[0] = v & 0xff; out[1] = (v >> 8) & 0xff; out[2] = (v >> 16) & 0xff; out += 3;
				break;
			case SND_PCM_FORMAT_S24_LE:
				v = scaled(x, 8388607.0);
				memcpy(out, &v, 4); out += 4;
				break;
			case SND_PCM_FORMAT_S32_LE:
				v = scaled(x, 2147483647.0);
				memcpy(out, &v, 4); out += 4;
				break;
			default:
				memcpy(out, &x, 4); out += 4;
				break;
			}
		}
	}
}

/* Converts frames read from the device into float32 at frame `at` of the recording. */
static void decode(struct stream *s, snd_pcm_uframes_t at, snd_pcm_uframes_t count)
{
	const unsigned char *in = scratch;
	float *out = s->samples + at * s->channels;
	for (snd_pcm_uframes_t i = 0; i < count * s->channels; i++) {
		int32_t v;
		switch (s->format) {
		case SND_PCM_FORMAT_S16_LE:
			v = (int16_t)(in[0] | (in[1] << 8)); in += 2;
			out[i] = (float)(v / 32768.0);
			break;
		case SND_PCM_FORMAT_S24_3LE:
			v = in[0] | (in[1] << 8) | (in[2] << 16); in += 3;
			if (v & 0x800000)
				v -= 0x1000000;
			out[i] = (float)(v / 8388608.0);
			break;
		case SND_PCM_FORMAT_S24_LE:
			memcpy(&v, in, 4); in += 4;
			v = (v << 8) >> 8;
			out[i] = (float)(v / 8388608.0);
			break;
		case SND_PCM_FORMAT_S32_LE:
			memcpy(&v, in, 4); in += 4;
			out[i] = (float)(v / 2147483648.0);
			break;
		default:
			memcpy(&out[i], in, 4); in += 4;
			break;
		}
	}
}

static void note_position(struct stream *s, double t, snd_pcm_uframes_t total)
{
	double f = (double)total;
	s->n += 1; s->st += t; s->sf += f; s->stt += t * t; s->stf += t * f;
}

static double measured_rate(const struct stream *s)
{
	double d = s->n * s->stt - s->st * s->st;
	return (s->n < 3 || d <= 0) ? 0.0 : (s->n * s->stf - s->st * s->sf) / d;
}

int main(int argc, char **argv)
{
	snd_pcm_uframes_t frames = 0, period = 1024, buffer = 16384;
	unsigned int rate = 48000;
	const char *formats = "S16_LE,S32_LE,S24_LE,S24_3LE,FLOAT_LE";
	int opt, err, linked = 1;

	while ((opt = getopt(argc, argv, "n:r:p:b:f:P:C:")) != -1) {
		switch (opt) {
		case 'n': frames = strtoul(optarg, NULL, 10); break;
		case 'r': rate = strtoul(optarg, NULL, 10); break;
		case 'p': period = strtoul(optarg, NULL, 10); break;
		case 'b': buffer = strtoul(optarg, NULL, 10); break;
		case 'f': formats = optarg; break;
		case 'P': add_stream(optarg, SND_PCM_STREAM_PLAYBACK); break;
		case 'C': add_stream(optarg, SND_PCM_STREAM_CAPTURE); break;
		default: usage();
		}
	}
	if (frames == 0 || stream_count == 0 || optind != argc)
		usage();

	size_t scratch_bytes = 0;
	for (int i = 0; i < stream_count; i++) {
		struct stream *s = &streams[i];
		configure(s, rate, period, buffer, formats);
		size_t bytes = (size_t)snd_pcm_frames_to_bytes(s->pcm, (snd_pcm_sframes_t)s->buffer);
		if (bytes > scratch_bytes)
			scratch_bytes = bytes;
		if (s->direction == SND_PCM_STREAM_PLAYBACK) {
			load_playback(s, frames);
		} else {
			s->samples = calloc(frames * s->channels, sizeof(float));
			if (!s->samples)
				exit(2);
		}
	}
	scratch = malloc(scratch_bytes);
	if (!scratch)
		exit(2);

	/* Prefill playback; the start threshold keeps every stream waiting. */
	for (int i = 0; i < stream_count; i++) {
		struct stream *s = &streams[i];
		if (s->direction != SND_PCM_STREAM_PLAYBACK)
			continue;
		snd_pcm_uframes_t count = s->buffer < frames ? s->buffer : frames;
		encode(s, 0, count);
		snd_pcm_sframes_t w = snd_pcm_writei(s->pcm, scratch, count);
		if (w < 0)
			fail(s, "prefill", (int)w);
		s->done = (snd_pcm_uframes_t)w;
	}
	for (int i = 1; i < stream_count; i++) {
		if ((err = snd_pcm_link(streams[0].pcm, streams[i].pcm)) < 0) {
			fprintf(stderr, "rig-playrec: cannot link %s to %s (%s); starting one by one\n",
				streams[i].device, streams[0].device, snd_strerror(err));
			linked = 0;
		}
	}
	double t0 = now_seconds();
	if ((err = snd_pcm_start(streams[0].pcm)) < 0)
		fail(&streams[0], "start", err);
	if (!linked)
		for (int i = 1; i < stream_count; i++)
			if ((err = snd_pcm_start(streams[i].pcm)) < 0)
				fail(&streams[i], "start", err);

	int xrun = 0;
	double deadline = t0 + 10.0 + 2.0 * (double)frames / rate;
	for (;;) {
		int busy = 0;
		double t = now_seconds();
		for (int i = 0; i < stream_count; i++) {
			struct stream *s = &streams[i];
			snd_pcm_sframes_t avail = snd_pcm_avail_update(s->pcm);
			if (avail < 0) {
				s->xruns++;
				xrun = 1;
				fprintf(stderr, "rig-playrec: %s: %s\n", s->device, snd_strerror((int)avail));
				continue;
			}
			if (s->direction == SND_PCM_STREAM_PLAYBACK) {
				if (s->done >= frames)
					continue;
				busy = 1;
				note_position(s, t - t0, s->done + (snd_pcm_uframes_t)avail - s->buffer);
				if ((snd_pcm_uframes_t)avail > s->buffer) {
					/* The tool wrote too late: frames were skipped. */
					s->xruns++;
					xrun = 1;
				}
				snd_pcm_uframes_t count = (snd_pcm_uframes_t)avail;
				if (count > s->buffer)
					count = s->buffer;
				if (count > frames - s->done)
					count = frames - s->done;
				if (count == 0)
					continue;
				encode(s, s->done, count);
				snd_pcm_sframes_t w = snd_pcm_writei(s->pcm, scratch, count);
				if (w < 0 && w != -EAGAIN)
					fail(s, "write", (int)w);
				if (w > 0)
					s->done += (snd_pcm_uframes_t)w;
			} else {
				if (s->done >= frames)
					continue;
				busy = 1;
				note_position(s, t - t0, s->done + (snd_pcm_uframes_t)avail);
				snd_pcm_uframes_t count = (snd_pcm_uframes_t)avail;
				if (count > s->buffer)
					count = s->buffer;
				if (count > frames - s->done)
					count = frames - s->done;
				if (count == 0)
					continue;
				snd_pcm_sframes_t r = snd_pcm_readi(s->pcm, scratch, count);
				if (r < 0 && r != -EAGAIN)
					fail(s, "read", (int)r);
				if (r > 0) {
					decode(s, s->done, (snd_pcm_uframes_t)r);
					s->done += (snd_pcm_uframes_t)r;
				}
			}
		}
		if (xrun || !busy)
			break;
		if (t > deadline) {
			fprintf(stderr, "rig-playrec: streams did not finish in time (is the device paced?)\n");
			xrun = 1;
			break;
		}
		/* 2 ms is short against the tool's own buffers and the 4 ms
		 * jiffies steps of snd-aloop's clock. */
		struct timespec nap = { 0, 2000000 };
		nanosleep(&nap, NULL);
	}

	for (int i = 0; i < stream_count; i++) {
		struct stream *s = &streams[i];
		snd_pcm_status_t *status;
		snd_htimestamp_t trigger;
		snd_pcm_status_alloca(&status);
		snd_pcm_status(s->pcm, status);
		snd_pcm_status_get_trigger_htstamp(status, &trigger);
		printf("stream=%s device=%s format=%s channels=%u rate=%u period=%lu buffer=%lu "
		       "frames=%lu trigger=%ld.%09ld measured_rate=%.2f xruns=%u\n",
		       s->direction == SND_PCM_STREAM_PLAYBACK ? "playback" : "capture",
		       s->device, snd_pcm_format_name(s->format), s->channels, s->rate,
		       (unsigned long)s->period, (unsigned long)s->buffer, (unsigned long)s->done,
		       (long)trigger.tv_sec, trigger.tv_nsec, measured_rate(s), s->xruns);
		if (s->direction == SND_PCM_STREAM_CAPTURE) {
			FILE *f = fopen(s->path, "wb");
			if (!f || fwrite(s->samples, sizeof(float) * s->channels, s->done, f) != s->done) {
				fprintf(stderr, "rig-playrec: cannot write %s: %s\n", s->path, strerror(errno));
				exit(2);
			}
			fclose(f);
		}
	}
	printf("linked=%d\n", linked);
	for (int i = 0; i < stream_count; i++)
		snd_pcm_drop(streams[i].pcm);
	return xrun ? 3 : 0;
}
