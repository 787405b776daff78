package dev.paygate.compliance;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;

/**
 * How two names are compared for sanctions screening. Both are normalised (accents dropped, case
 * folded, punctuation removed) and split into words; each word is paired with its most similar
 * word of the other name by Jaro-Winkler, and the scores are averaged, weighted by word length.
 * That is done both ways and the lower result counts, so word order does not matter, a typo in a
 * word costs little, but a word of either name with no counterpart in the other ("Jose Martinez"
 * against "MARTINEZ RIVERA, Jose") pulls the score down. Aliases come from the list itself.
 */
final class SanctionsNames {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern JOINERS = Pattern.compile("[.'’`]");
    private static final Pattern NOT_LETTER_OR_DIGIT = Pattern.compile("[^\\p{L}\\p{Nd}]+");
    private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();

    private SanctionsNames() {
    }

    /** A name ready to compare: its words, normalised. */
    record Normalised(String[] words) {

        boolean isEmpty() {
            return words.length == 0;
        }

        @Override
        public String toString() {
            return String.join(" ", words);
        }
    }

    static Normalised normalise(String name) {
        // NFKD splits "é" into "e" and a combining mark, and folds compatibility forms ("ﬁ" → "fi").
        String decomposed = MARKS.matcher(Normalizer.normalize(name, Normalizer.Form.NFKD)).replaceAll("");
        String folded = decomposed.toLowerCase(Locale.ROOT)
                .replace("ß", "ss").replace("ø", "o").replace("đ", "d").replace("ł", "l").replace("ı", "i");
        // "L.L.C." is one word, as is "O'Brien".
        String joined = JOINERS.matcher(folded).replaceAll("");
        String spaced = NOT_LETTER_OR_DIGIT.matcher(joined).replaceAll(" ").trim();
        return new Normalised(spaced.isEmpty() ? new String[0] : spaced.split(" "));
    }

    /** The similarity of two normalised names, from 0 (nothing alike) to 1 (the same words). */
    static double similarity(Normalised a, Normalised b) {
        if (a.isEmpty() || b.isEmpty()) {
            return 0;
        }
        return Math.min(covered(a, b), covered(b, a));
    }

    /** How well the words of {@code of} are found among the words of {@code in}. */
    private static double covered(Normalised of, Normalised in) {
        double weighted = 0;
        int letters = 0;
        for (String word : of.words()) {
            double best = 0;
            for (String candidate : in.words()) {
                best = Math.max(best, JARO_WINKLER.apply(word, candidate));
                if (best == 1) {
                    break;
                }
            }
            weighted += best * word.length();
            letters += word.length();
        }
        return weighted / letters;
    }
}
