package io.lakeml;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.List;

/**
 * The floor plan the README promises: stages are separate jobs that share only Delta tables, model
 * versions and the kernel, so no stage package imports another, and the kernel (core, config,
 * model, tables) imports no stage and not the command line. Within the kernel only core imports the
 * others. cli and bench sit on top and may import any stage.
 */
@AnalyzeClasses(packages = "io.lakeml", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  static final List<String> STAGES =
      List.of("ingest", "etl", "prepare", "bias", "tune", "deploy", "report");
  static final List<String> KERNEL = List.of("core", "config", "model", "tables");
  static final List<String> TOP = List.of("cli", "bench");

  @ArchTest
  static final ArchRule stagesDoNotImportOneAnother =
      CompositeArchRule.of(STAGES.stream().map(ArchitectureTest::stageRule).toList())
          .as("no stage imports another stage, cli or bench");

  @ArchTest
  static final ArchRule kernelImportsNoStage =
      noClasses()
          .that()
          .resideInAnyPackage(packages(KERNEL))
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(packages(concat(STAGES, TOP)))
          .as("the kernel (core, config, model) imports no stage, cli or bench");

  /**
   * core is the kernel's top floor: every stage imports core, so when nothing else in the kernel
   * imports it, every stage stands on the same floor whichever other kernel packages it uses.
   */
  @ArchTest
  static final ArchRule coreIsTheKernelsTop =
      noClasses()
          .that()
          .resideInAnyPackage(packages(List.of("config", "model", "tables")))
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.lakeml.core..")
          .as("config, model and tables do not import core (core is the kernel's top floor)");

  @ArchTest
  static final ArchRule everyPackageIsPlaced =
      com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
          .should()
          .resideInAnyPackage(packages(concat(concat(STAGES, KERNEL), TOP)))
          .as(
              "every class is in a stage, the kernel, cli or bench (a new package must be added to ArchitectureTest's lists)");

  /**
   * Faults are the tests' own ({@code io.lakeml.core.Hooks}): production code never halts its JVM.
   */
  @ArchTest
  static final ArchRule noProductionClassHaltsTheJvm =
      noClasses()
          .should()
          .callMethod(Runtime.class, "halt", int.class)
          .as("no production class calls Runtime.halt (a test injects a dying JVM through Hooks)");

  static ArchRule stageRule(String stage) {
    List<String> others = concat(STAGES.stream().filter(s -> !s.equals(stage)).toList(), TOP);
    return noClasses()
        .that()
        .resideInAPackage("io.lakeml." + stage + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(packages(others));
  }

  static String[] packages(List<String> names) {
    return names.stream().map(n -> "io.lakeml." + n + "..").toArray(String[]::new);
  }

  static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
