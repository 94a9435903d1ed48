import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import nl.eszl.decisions.client.model.Decision;

/**
 * Reads a decision, as GET /api/v1/decisions/{id} answered it, into the model class that
 * openapi-generator-plus generated from openapi/openapi-3.0.json, and prints its amounts.
 */
public class ReadDecision {
  public static void main(String[] args) throws Exception {
    ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    Decision decision = mapper.readValue(Files.readString(Path.of(args[0])), Decision.class);
    System.out.println("totalAmountCents=" + decision.getTotalAmountCents());
    System.out.println("amountCents=" + decision.getCommitments().get(0).getAmountCents());
  }
}
