package io.lakeml.cli;

import io.lakeml.bias.BiasJob;
import io.lakeml.config.ConfigException;
import io.lakeml.config.ConfigLoader;
import io.lakeml.config.LakemlConfig;
import io.lakeml.core.Pipeline;
import io.lakeml.deploy.MonitorJob;
import io.lakeml.deploy.PromoteJob;
import io.lakeml.deploy.ScoreJob;
import io.lakeml.etl.EtlJob;
import io.lakeml.ingest.IngestJob;
import io.lakeml.prepare.PrepareJob;
import io.lakeml.report.ReportJob;
import io.lakeml.tune.TuneJob;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The unattended run: parses its options and hands the datasets to {@link #PIPELINE}, which runs
 * the nine stages in order under each dataset's lock, then the report, and resumes on a rerun. In
 * local mode every stage runs in this JVM by default; on a cluster each is its own Spark
 * application (a child process through the launcher); {@code --in-process} and {@code --separate}
 * choose either way.
 */
@Command(
    name = "nightly",
    mixinStandardHelpOptions = true,
    description =
        "Runs the pipeline's stages per dataset (ingest, etl, prepare, bias-pre, tune, bias-post, promote, score, monitor, report), "
            + "each as its own Spark application; stops a dataset's chain at its first failure, then still writes the report.")
final class Nightly extends Main.DatasetCommand {
  /** The nightly's stages in their order: the one list the command, the bench and the tests use. */
  static final Pipeline PIPELINE =
      new Pipeline(
          List.of(
              new Pipeline.Stage("ingest", IngestJob::new, List.of("ingest")),
              new Pipeline.Stage("etl", EtlJob::new, List.of("etl")),
              new Pipeline.Stage("prepare", PrepareJob::new, List.of("prepare")),
              new Pipeline.Stage(
                  "bias-pre",
                  () -> new BiasJob(BiasJob.Stage.PRE, null),
                  List.of("bias", "--stage", "pre")),
              new Pipeline.Stage("tune", TuneJob::new, List.of("tune")),
              new Pipeline.Stage(
                  "bias-post",
                  () -> new BiasJob(BiasJob.Stage.POST, null),
                  List.of("bias", "--stage", "post")),
              new Pipeline.Stage(
                  "promote",
                  () -> new PromoteJob(PromoteJob.Mode.AUTOMATIC, null),
                  List.of("promote")),
              new Pipeline.Stage("score", ScoreJob::new, List.of("score")),
              new Pipeline.Stage("monitor", MonitorJob::new, List.of("monitor")),
              new Pipeline.Stage(ReportJob.NAME, ReportJob::new, List.of("report"), true)));

  @Option(
      names = "--until",
      paramLabel = "STAGE",
      description = "Stop after this stage (e.g. tune).")
  String until;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "With several datasets (--dataset a,b,c): how many chains run at once (default: ${DEFAULT-VALUE}). In one application (local "
              + "mode's default) each chain has its own Spark session: SQL settings and temporary views apart, executors and memory shared.")
  int parallel;

  @Option(
      names = "--in-process",
      description =
          "Run every stage in this JVM as one Spark application: the default in local mode "
              + "(a stage's fixed cost is its Spark session and warm-up, paid once instead of ten times).")
  boolean inProcess;

  @Option(
      names = "--separate",
      description =
          "Run every stage as its own Spark application (spark-submit): the default with --env other than local "
              + "or a non-local --master (isolation: a stage's crash or memory cannot affect the next or another dataset's chain; a Spark UI per stage).")
  boolean separate;

  @Override
  String commandName() {
    return "nightly";
  }

  @Override
  public Integer call() {
    // trimmed before de-duplicating: "a, a" is one chain, not two fighting over one lock
    List<String> datasets =
        java.util.Arrays.stream(dataset.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .distinct()
            .toList();
    if (datasets.isEmpty()) {
      throw new ConfigException(
          "--dataset '"
              + dataset
              + "' names no dataset. Pass one name or several separated by commas.");
    }
    Pipeline pipeline = PIPELINE.until(until);
    if (parallel < 1) {
      throw new ConfigException("--parallel " + parallel + " must be at least 1.");
    }
    if (inProcess && separate) {
      throw new ConfigException(
          "--in-process and --separate contradict each other; pass one of them (or neither, for the default).");
    }
    LocalDate date = runDate(); // one date for every stage, even across midnight
    Map<String, LakemlConfig> configs = validated(datasets, pipeline);
    Pipeline.Launcher launcher =
        separate(configs.values().iterator().next())
            ? (stage, ds, day, prefix) ->
                StageProcess.run(stage.name(), commandLine(stage, ds, day), out, err, prefix)
                    .outcome()
            : null;
    return pipeline.run(configs, date, parallel, launcher, out, err);
  }

  /**
   * Whether stages run as their own applications: as asked, or by default when the stages go to a
   * cluster (another environment, a non-local master).
   */
  boolean separate(LakemlConfig config) {
    if (separate || inProcess) {
      return separate;
    }
    String master =
        common.master != null
            ? common.master
            : System.getProperty("spark.master", config.spark().master());
    return !"local".equals(common.env) || !master.startsWith("local");
  }

  /**
   * Loads and checks every dataset's configuration before any stage starts; all problems reported
   * together.
   */
  private Map<String, LakemlConfig> validated(List<String> datasets, Pipeline pipeline) {
    Map<String, LakemlConfig> configs = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String ds : datasets) {
      try {
        LakemlConfig config = ConfigLoader.load(common.confDir, common.env, ds, common.overrides());
        pipeline.validate(config);
        configs.put(ds, config);
      } catch (ConfigException e) {
        // the problems, not the message: a message already reads "Configuration error: …"
        for (String problem : e.problems()) {
          problems.add(datasets.size() > 1 ? "dataset " + ds + ": " + problem : problem);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return configs;
  }

  /**
   * The stage's own command line: same environment, configuration folder, overrides and master; the
   * chain's run date.
   */
  private List<String> commandLine(Pipeline.Stage stage, String ds, LocalDate date) {
    List<String> args = new ArrayList<>(stage.command());
    args.addAll(
        List.of(
            "--dataset",
            ds,
            "--run-date",
            date.toString(),
            "--env",
            common.env,
            "--conf-dir",
            common.confDir.toAbsolutePath().toString()));
    for (String set : common.sets) {
      args.add("--set");
      args.add(set);
    }
    // under spark-submit the master arrives as a system property: the stages go to the same cluster
    String master = common.master != null ? common.master : System.getProperty("spark.master");
    if (master != null) {
      args.add("--master");
      args.add(master);
    }
    return args;
  }
}
