package io.lakeml.testing;

import io.lakeml.model.Algorithms;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NumericAttribute;
import org.apache.spark.sql.types.StructField;

/** Feature vectors for model tests, named the way prepare's pipeline names its slots. */
public final class TestFeatures {
  private TestFeatures() {}

  /** The features column with four slots: signal, noise, and a two-slot one-hot column "colour". */
  public static StructField signalNoiseColour() {
    Attribute[] attrs = {
      NumericAttribute.defaultAttr().withName("signal"),
          NumericAttribute.defaultAttr().withName("noise"),
      NumericAttribute.defaultAttr().withName("colour = red"),
          NumericAttribute.defaultAttr().withName("colour = blue")
    };
    return new AttributeGroup(Algorithms.FEATURES, attrs).toStructField();
  }
}
