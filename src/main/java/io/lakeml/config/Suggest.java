package io.lakeml.config;

import java.util.Collection;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** "Did you mean …?" hints for misspelled keys and values, by edit distance. */
public final class Suggest {
  private Suggest() {}

  public static String didYouMean(String given, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = LevenshteinDistance.getDefaultInstance().apply(given.toLowerCase(), c.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    int limit = Math.max(2, given.length() / 3);
    return best != null && bestDistance <= limit ? " (did you mean '" + best + "'?)" : "";
  }
}
