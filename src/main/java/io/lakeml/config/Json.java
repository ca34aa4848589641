package io.lakeml.config;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * lakeml's one Jackson {@link ObjectMapper}: job summaries, the registry's parameters and confusion
 * matrices, the JDBC watermark, run lists and bench reports all read and write JSON through it. An
 * ObjectMapper is thread-safe once configured, and building one per call was the pattern this
 * replaces.
 */
public final class Json {
  /** The shared mapper; do not reconfigure it (copy() it for different settings). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
