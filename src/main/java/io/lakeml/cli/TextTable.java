package io.lakeml.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain aligned text table for operators: columns as wide as their widest cell, the last one
 * unpadded.
 */
final class TextTable {
  private final List<String> header;
  private final boolean[] rightAligned;
  private final List<List<String>> rows = new ArrayList<>();

  /** Column names; a name starting with '>' is right-aligned (numbers), the '>' is not printed. */
  TextTable(String... columns) {
    header = new ArrayList<>();
    rightAligned = new boolean[columns.length];
    for (int i = 0; i < columns.length; i++) {
      rightAligned[i] = columns[i].startsWith(">");
      header.add(rightAligned[i] ? columns[i].substring(1) : columns[i]);
    }
  }

  TextTable row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException(
          "a row of " + header.size() + " cells expected, got " + cells.length);
    }
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(c == null ? "-" : String.valueOf(c).replace('\n', ' '));
    }
    rows.add(r);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintStream out) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    line(out, header, width);
    for (List<String> r : rows) {
      line(out, r, width);
    }
    out.flush();
  }

  private void line(PrintStream out, List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      boolean last = i == cells.size() - 1;
      String pad = " ".repeat(width[i] - c.length());
      b.append(rightAligned[i] ? pad + c : last ? c : c + pad);
      if (!last) {
        b.append("  ");
      }
    }
    out.println(b.toString().stripTrailing());
  }
}
