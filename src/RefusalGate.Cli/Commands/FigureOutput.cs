using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace RefusalGate.Cli.Commands;

/// <summary>How the figure commands (<c>report</c>, <c>evaluate</c>) print numbers and tables.</summary>
internal static class FigureOutput
{
    /// <summary>Three decimals for a table cell; "–" for an undefined figure. Rounded first, so -0.0001 prints as "0.000".</summary>
    public static string Cell(double value) => double.IsFinite(value) ? (Math.Round(value, 3) + 0.0).ToString("0.000", CultureInfo.InvariantCulture) : "–";

    /// <summary>Six decimals for JSON; null for an undefined figure (JSON has no NaN). Adding 0.0 turns -0 into 0.</summary>
    public static double? Json(double value) => double.IsFinite(value) ? Math.Round(value, 6) + 0.0 : null;

    /// <summary>
    /// Adds a row whose cells are shown as they are: model names and slice values come from clients and input files,
    /// and Spectre.Console would read <c>[...]</c> in them as markup (hiding <c>[red]</c>, throwing on <c>gpt[1]</c>).
    /// </summary>
    public static void AddLiteralRow(Table table, params string[] cells) => table.AddRow(cells.Select(cell => new Text(cell)));

    /// <summary>
    /// <c>--high-confidence</c> of <c>report</c> and <c>evaluate</c>: the probability of the predicted class, so only
    /// 0.5–1 means something. The token is read, not the value: a non-number is already reported by the parser.
    /// </summary>
    public static Option<double> HighConfidenceOption(string description)
    {
        var option = new Option<double>("--high-confidence") { Description = description, DefaultValueFactory = _ => 0.9 };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is not (>= 0.5 and <= 1.0))
            {
                r.AddError("--high-confidence must be between 0.5 and 1 (it is the probability of the predicted class).");
            }
        });
        return option;
    }

    /// <summary>Writes a table to stdout. Piped output gets no terminal width (a table wrapped at 80 columns is unreadable) and no colour codes.</summary>
    public static void Write(Table table)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        console.Profile.Width = Math.Max(console.Profile.Width, 160);
        console.Write(table);
    }
}
