#include "tiff_shim.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep the first error: later ones are usually consequences of it. */
static int capture_error(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void)tif;
    spotfinder_tiff *handle = user_data;
    if (handle && handle->error[0] == 0) {
        char message[400];
        vsnprintf(message, sizeof message, fmt, ap);
        if (module && module[0]) snprintf(handle->error, sizeof handle->error, "%s: %s", module, message);
        else snprintf(handle->error, sizeof handle->error, "%s", message);
    }
    return 1; /* handled: libtiff's global handler (stderr) is not called */
}

/* Warnings (unknown tags, odd but readable files) are not failures; they are dropped, never printed. */
static int ignore_warning(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void)tif; (void)user_data; (void)module; (void)fmt; (void)ap;
    return 1;
}

static pthread_once_t silence_once = PTHREAD_ONCE_INIT;

/* No global handler may print either (errors raised outside a handle's handlers). */
static void silence_global_handlers(void) {
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
}

spotfinder_tiff *spotfinder_tiff_open(const char *path, const char *mode) {
    pthread_once(&silence_once, silence_global_handlers);
    spotfinder_tiff *handle = calloc(1, sizeof *handle);
    if (!handle) return NULL;
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (!options) {
        snprintf(handle->error, sizeof handle->error, "out of memory");
        return handle;
    }
    TIFFOpenOptionsSetErrorHandlerExtR(options, capture_error, handle);
    TIFFOpenOptionsSetWarningHandlerExtR(options, ignore_warning, handle);
    handle->tif = TIFFOpenExt(path, mode, options);
    TIFFOpenOptionsFree(options);
    if (!handle->tif && handle->error[0] == 0) snprintf(handle->error, sizeof handle->error, "cannot open");
    return handle;
}

int spotfinder_tiff_close(spotfinder_tiff *handle) {
    if (!handle) return 1;
    if (handle->tif) TIFFClose(handle->tif);
    int ok = handle->error[0] == 0;
    free(handle);
    return ok;
}

void spotfinder_tiff_clear_error(spotfinder_tiff *handle) { handle->error[0] = 0; }

int spotfinder_tiff_get_u16(spotfinder_tiff *handle, uint32_t tag, uint16_t *value) {
    return TIFFGetField(handle->tif, tag, value) == 1;
}

int spotfinder_tiff_get_u32(spotfinder_tiff *handle, uint32_t tag, uint32_t *value) {
    return TIFFGetField(handle->tif, tag, value) == 1;
}

int spotfinder_tiff_get_u16_defaulted(spotfinder_tiff *handle, uint32_t tag, uint16_t *value) {
    return TIFFGetFieldDefaulted(handle->tif, tag, value) == 1;
}

int spotfinder_tiff_set_u16(spotfinder_tiff *handle, uint32_t tag, uint16_t value) {
    return TIFFSetField(handle->tif, tag, (int)value) == 1;
}

int spotfinder_tiff_set_u32(spotfinder_tiff *handle, uint32_t tag, uint32_t value) {
    return TIFFSetField(handle->tif, tag, value) == 1;
}

int spotfinder_tiff_set_string(spotfinder_tiff *handle, uint32_t tag, const char *value) {
    return TIFFSetField(handle->tif, tag, value) == 1;
}

int64_t spotfinder_tiff_first_chunk_past(spotfinder_tiff *handle, uint64_t file_size) {
    uint32_t count = TIFFIsTiled(handle->tif) ? TIFFNumberOfTiles(handle->tif) : TIFFNumberOfStrips(handle->tif);
    for (uint32_t i = 0; i < count; i++) {
        int error = 0;
        uint64_t offset = TIFFGetStrileOffsetWithErr(handle->tif, i, &error);
        uint64_t bytes = TIFFGetStrileByteCountWithErr(handle->tif, i, &error);
        if (error || offset + bytes > file_size) return (int64_t)i;
    }
    return -1;
}
