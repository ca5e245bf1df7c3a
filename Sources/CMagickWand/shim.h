#ifndef REFRACT_CMAGICKWAND_SHIM_H
#define REFRACT_CMAGICKWAND_SHIM_H

// SwiftPM drops the -D flags pkg-config gives, so the build settings MagickCore's headers check are set here, to
// the values of Debian's Q16 non-HDRI library.
#define MAGICKCORE_QUANTUM_DEPTH 16
#define MAGICKCORE_HDRI_ENABLE 0

// The libc headers come first: included from inside MagickWand.h they clash with Dispatch over fd_set.
#include <sys/types.h>
#include <sys/select.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <wand/MagickWand.h>

#endif
