#ifndef SPOTFINDER_TIFF_SHIM_H
#define SPOTFINDER_TIFF_SHIM_H
/* The C side of the one Swift wrapper around libtiff (module TIFFImage).
 * libtiff reports problems through handler callbacks with a printf format; Swift can neither
 * implement a C variadic callback nor call TIFFGetField/TIFFSetField (variadic). This shim opens
 * a file with per-handle handlers that format the message into the handle (never stderr), and
 * offers fixed-signature getters and setters. libtiff does not longjmp, so nothing unwinds Swift. */
#include <stdint.h>
#include <tiffio.h>

typedef struct spotfinder_tiff {
    TIFF *tif;
    /* The first error libtiff reported since the last clear, "" when none. */
    char error[512];
} spotfinder_tiff;

/* Opens `path` with libtiff `mode` ("r", "w", "w8" for BigTIFF). Returns NULL only when out of
 * memory; otherwise a handle whose `tif` is NULL when the open failed (the reason in `error`). */
spotfinder_tiff *spotfinder_tiff_open(const char *path, const char *mode);
/* Closes the file (flushing a written one) and frees the handle; returns 0 if libtiff reported an error. */
int spotfinder_tiff_close(spotfinder_tiff *handle);
void spotfinder_tiff_clear_error(spotfinder_tiff *handle);

/* Tag access with fixed signatures: return 1 when the tag is present (or defaulted), else 0. */
int spotfinder_tiff_get_u16(spotfinder_tiff *handle, uint32_t tag, uint16_t *value);
int spotfinder_tiff_get_u32(spotfinder_tiff *handle, uint32_t tag, uint32_t *value);
int spotfinder_tiff_get_u16_defaulted(spotfinder_tiff *handle, uint32_t tag, uint16_t *value);
int spotfinder_tiff_set_u16(spotfinder_tiff *handle, uint32_t tag, uint16_t value);
int spotfinder_tiff_set_u32(spotfinder_tiff *handle, uint32_t tag, uint32_t value);
int spotfinder_tiff_set_string(spotfinder_tiff *handle, uint32_t tag, const char *value);

/* The first strip or tile of the current page whose bytes lie (partly) past `file_size`
 * (a truncated file), or -1 when every chunk is inside the file. */
int64_t spotfinder_tiff_first_chunk_past(spotfinder_tiff *handle, uint64_t file_size);

#endif
